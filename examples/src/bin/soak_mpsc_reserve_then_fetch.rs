//! Healthy, under steady load: producers that reserve queue capacity
//! before doing the work (so no fetched item is ever dropped for want of
//! room). Four fetchers (two `peeps::spawn_named`, two plain
//! `tokio::spawn`) each `reserve()` a slot of `items` (capacity 2), then
//! fetch an item (100-400 ms), then `permit.send(item)`. The `indexer`
//! (`peeps::spawn_named`) receives and indexes each item in 20 ms.
//!
//! While two fetchers hold the two reserved slots, fetching, the queue is
//! empty and full at once: the indexer waits to receive and the other
//! fetchers wait to reserve. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock. Multi-thread runtime.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Item {
    url: String,
    body: Vec<u8>,
}

async fn fetcher(who: u64, items: mpsc::Sender<Item>) {
    for n in 0u64.. {
        let Ok(slot) = items.reserve().await else {
            return;
        };
        tokio::time::sleep(Duration::from_millis(100 + (n * 97 + who * 51) % 300)).await;
        slot.send(Item {
            url: format!("https://example.com/{who}/{n}"),
            body: vec![who as u8; 64],
        });
    }
}

#[peeps::instrument]
async fn index(mut items: mpsc::Receiver<Item>, indexed: Arc<AtomicU64>) {
    while let Some(item) = items.recv().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
        std::hint::black_box((item.url.len(), item.body.len()));
        indexed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mpsc_reserve_then_fetch");
    let (tx, rx) = mpsc::channel_named("items", 2);
    let indexed = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("indexer", index(rx, indexed.clone()));
    peeps::spawn_named("fetcher-1", fetcher(1, tx.clone()));
    peeps::spawn_named("fetcher-2", fetcher(2, tx.clone()));
    tokio::spawn(fetcher(3, tx.clone()));
    tokio::spawn(fetcher(4, tx));
    ready_when(move |g| {
        indexed.load(Ordering::Relaxed) >= 6
            && waited_on_for(g, NodeKind::Channel, "items", "recv")
            && waited_on_for(g, NodeKind::Channel, "items", "send")
    });
    examples::park().await
}
