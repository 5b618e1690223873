//! Healthy control: a supervisor awaiting `JoinSet::join_next()` in a
//! `select!` against a `broadcast` shutdown, no shutdown sent yet.
//!
//! The `supervise` task (plain `tokio::spawn`) runs three crawlers in a
//! tokio `JoinSet` and loops on `join_next()` or `shutdown.recv()`. Each
//! crawler, in a `select!` against its own shutdown receiver, locks the
//! shared `frontier` to take a URL and fetches it with the lock held (a
//! timer: an hour); the other two wait for the lock. `main` keeps the
//! shutdown sender for a signal that has not come.
//!
//! Expected: no deadlock, no potential deadlock.

use examples::{holders, park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, broadcast};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

type Frontier = Arc<Mutex<Vec<&'static str>>>;

#[peeps::instrument]
async fn crawl(id: u64, frontier: Frontier, mut shutdown: broadcast::Receiver<()>) -> u64 {
    tokio::select! {
        fetched = async {
            let mut urls = frontier.lock().await;
            let url = urls.pop()?;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Some(url.len() as u64)
        } => fetched.unwrap_or(0) + id,
        _ = shutdown.recv() => 0,
    }
}

#[peeps::instrument]
async fn supervise(frontier: Frontier, shutdown: broadcast::Sender<()>) {
    let mut stop = shutdown.subscribe();
    let mut crawlers = JoinSet::new();
    for id in 1..=3 {
        crawlers.spawn(crawl(id, frontier.clone(), shutdown.subscribe()));
    }
    drop(shutdown);
    loop {
        tokio::select! {
            joined = crawlers.join_next() => match joined {
                Some(Ok(bytes)) => println!("crawled {bytes} bytes"),
                Some(Err(e)) => println!("a crawler failed: {e}"),
                None => break,
            },
            _ = stop.recv() => {
                crawlers.shutdown().await;
                break;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_select_shutdown_tokio_spawn");
    let frontier: Frontier = Arc::new(
        Mutex::new(vec![
            "https://a.example",
            "https://b.example",
            "https://c.example",
        ])
        .named("frontier"),
    );
    let (shutdown, _) = broadcast::channel_named("shutdown", 1);
    tokio::spawn(supervise(frontier, shutdown.clone()));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "frontier") == 2
            && holders(g, NodeKind::Mutex, "frontier").len() == 1
            && waited_on_for(g, NodeKind::Channel, "shutdown", "recv")
    });
    // Keeps the shutdown sender for a signal that has not come.
    let _shutdown = shutdown;
    park().await
}
