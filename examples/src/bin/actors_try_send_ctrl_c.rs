//! Healthy twin of `actors_full_inboxes_ctrl_c`: the same two actors
//! (`peeps::spawn_named`), `crawler` and `indexer`, with bounded inboxes
//! of 1, but each forwards with `try_send` and drops what does not fit
//! (the usual fix: never await a send into a peer that may be sending to
//! you), and paces itself on a 10 ms timer. A seeder (plain
//! `tokio::spawn`) feeds the crawler one page every 20 ms so the exchange
//! goes on; `main` also runs a plain `tokio::spawn` that waits for
//! `ctrl_c`.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn crawler(mut pages: mpsc::Receiver<u64>, links: mpsc::Sender<u64>, seen: Arc<AtomicU64>) {
    while let Some(page) = pages.recv().await {
        seen.fetch_add(1, Ordering::SeqCst);
        for link in [2 * page, 2 * page + 1] {
            let _ = links.try_send(link);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn indexer(mut links: mpsc::Receiver<u64>, pages: mpsc::Sender<u64>) {
    while let Some(link) = links.recv().await {
        for page in [3 * link % 1000, (3 * link + 1) % 1000] {
            let _ = pages.try_send(page);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actors_try_send_ctrl_c");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let (page_tx, page_rx) = mpsc::channel_named("crawler-inbox", 1);
    let (link_tx, link_rx) = mpsc::channel_named("indexer-inbox", 1);
    let seeder = page_tx.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(20));
        loop {
            every.tick().await;
            let _ = seeder.try_send(1);
        }
    });
    let seen = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("crawler", crawler(page_rx, link_tx, seen.clone()));
    peeps::spawn_named("indexer", indexer(link_rx, page_tx));
    ready_when(move |_| seen.load(Ordering::SeqCst) >= 10);
    park().await
}
