//! Healthy, under steady load: a DataLoader-style batcher. Plain
//! `tokio::spawn`, no peeps annotation; only the resources are
//! `peeps::sync`.
//!
//! Resolvers send `Load`s (a user id and a `oneshot` reply sender) into
//! `loads` (capacity 64). The loader takes what is queued with
//! `recv_many(.., 32)`, then gathers stragglers for 3 ms with
//! `timeout_at(deadline, recv())`, takes a connection of `db-pool` (a
//! `Semaphore` of 2), runs one query for the whole batch and answers each
//! load. Six page handlers, every 150 ms, resolve a page of 5 users with
//! `join_all` of 5 loads; a report job takes both `db-pool` connections
//! (`acquire_many(2)`) every 400 ms for 30 ms. After a burst the handlers
//! keep their steady pace.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

struct Load {
    user: u64,
    reply: oneshot::Sender<String>,
}

#[derive(Clone)]
struct Loader {
    loads: mpsc::Sender<Load>,
}

impl Loader {
    async fn load(&self, user: u64) -> Option<String> {
        let (reply, answer) = oneshot::channel_named("load-reply");
        self.loads.send(Load { user, reply }).await.ok()?;
        answer.await.ok()
    }
}

async fn run_loader(mut loads: mpsc::Receiver<Load>, db: Arc<Semaphore>) {
    let mut batch = Vec::with_capacity(32);
    loop {
        if loads.recv_many(&mut batch, 32).await == 0 {
            return;
        }
        let deadline = Instant::now() + Duration::from_millis(3);
        while batch.len() < 32 {
            match tokio::time::timeout_at(deadline, loads.recv()).await {
                Ok(Some(load)) => batch.push(load),
                Ok(None) | Err(_) => break,
            }
        }
        let conn = db.acquire().await.expect("db open");
        // One `SELECT .. WHERE id IN (..)` for the whole batch.
        tokio::time::sleep(Duration::from_millis(4 + batch.len() as u64 / 4)).await;
        drop(conn);
        for Load { user, reply } in batch.drain(..) {
            let _ = reply.send(format!("user-{user}"));
        }
    }
}

async fn page_handler(loader: Loader, page: u64, rounds: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(Duration::from_millis(150));
    loop {
        tick.tick().await;
        let users = (0..5).map(|i| loader.load(page * 10 + i));
        let got = join_all(users).await;
        assert!(got.iter().all(Option::is_some), "loader gone");
        rounds.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_dataloader_recv_many_window_plain");
    let db = Arc::new(Semaphore::new(2).named("db-pool"));
    let (loads, rx) = mpsc::channel_named("loads", 64);
    tokio::spawn(run_loader(rx, db.clone()));
    let loader = Loader { loads };

    let report_db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(400));
        loop {
            tick.tick().await;
            let _all = report_db.acquire_many(2).await.expect("db open");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });

    let rounds = Arc::new(AtomicU64::new(0));
    // A burst: twenty one-off pages at once.
    let burst: Vec<_> = (0..20)
        .map(|p| {
            let loader = loader.clone();
            tokio::spawn(async move {
                join_all((0..5).map(|i| loader.load(1000 + p * 10 + i))).await;
            })
        })
        .collect();
    for b in burst {
        b.await.expect("burst page");
    }
    for page in 0..6 {
        tokio::spawn(page_handler(loader.clone(), page, rounds.clone()));
    }
    drop(loader);
    ready_when(move |g| {
        rounds.load(Ordering::Relaxed) >= 30 && waited_on_for(g, NodeKind::Channel, "loads", "recv")
    });
    examples::park().await;
}
