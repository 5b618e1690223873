//! Healthy, under steady load: market-data fan-out. A `feed`
//! (`peeps::spawn_named`) broadcasts a quote every 5 ms on `quotes` (a
//! `peeps::sync::broadcast` of capacity 16). Three fast subscribers
//! (`peeps::spawn_named`) apply each quote to a shared `book`
//! (`peeps::sync::Mutex`); a slow analytics subscriber (plain
//! `tokio::spawn`) takes 300 ms per quote, lags (`RecvError::Lagged`) and
//! carries on. A `snapshotter` (`peeps::spawn_named`) keeps `book`
//! locked for 400 ms every 300 ms. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `book` are long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, broadcast};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Quote {
    symbol: u32,
    price: u64,
}

#[peeps::instrument]
async fn feed(tx: broadcast::Sender<Quote>) {
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    for n in 0u64.. {
        tick.tick().await;
        let _ = tx.send(Quote {
            symbol: (n % 8) as u32,
            price: 100 + n % 13,
        });
    }
}

#[peeps::instrument]
async fn apply(
    mut rx: broadcast::Receiver<Quote>,
    book: Arc<Mutex<HashMap<u32, u64>>>,
    applied: Arc<AtomicU64>,
) {
    loop {
        match rx.recv().await {
            Ok(q) => {
                book.lock().await.insert(q.symbol, q.price);
                applied.fetch_add(1, Ordering::Relaxed);
            }
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn analytics(mut rx: broadcast::Receiver<Quote>, lagged: Arc<AtomicU64>) {
    loop {
        match rx.recv().await {
            Ok(q) => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                std::hint::black_box(q);
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                lagged.fetch_add(n, Ordering::Relaxed);
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

#[peeps::instrument]
async fn snapshot(book: Arc<Mutex<HashMap<u32, u64>>>, snapshots: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let b = book.lock().await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        std::hint::black_box(b.len());
        drop(b);
        snapshots.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_broadcast_lagging_book");
    let (tx, _) = broadcast::channel_named("quotes", 16);
    let book = Arc::new(Mutex::new(HashMap::new()).named("book"));
    let applied = Arc::new(AtomicU64::new(0));
    let lagged = Arc::new(AtomicU64::new(0));
    let snapshots = Arc::new(AtomicU64::new(0));
    for i in 1..=3 {
        peeps::spawn_named(
            format!("book-{i}"),
            apply(tx.subscribe(), book.clone(), applied.clone()),
        );
    }
    tokio::spawn(analytics(tx.subscribe(), lagged.clone()));
    peeps::spawn_named("snapshotter", snapshot(book, snapshots.clone()));
    peeps::spawn_named("feed", feed(tx));
    ready_when(move |g| {
        applied.load(Ordering::Relaxed) >= 50
            && lagged.load(Ordering::Relaxed) >= 1
            && snapshots.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "book")
    });
    examples::park().await
}
