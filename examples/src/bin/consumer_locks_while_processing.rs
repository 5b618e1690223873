//! Healthy control: a pipeline whose consumer holds a lock while it
//! processes an item (not while it receives), and whose producer takes
//! the same lock briefly, sending with room to spare while it holds it.
//!
//! `producer` (`peeps::spawn_named`) counts each item in `stats` and
//! sends it into `items` (capacity 16) under the same guard; `consumer`
//! receives an item, then locks `stats` for its processing, which is slow
//! (a timer).
//!
//! Expected: no deadlock, no potential deadlock: the producer waits for
//! `stats`, held by the consumer on a timer.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Stats {
    produced: u64,
    processed: u64,
}

#[peeps::instrument]
async fn produce(stats: Arc<Mutex<Stats>>, items: mpsc::Sender<u64>) {
    for item in 0.. {
        let mut stats = stats.lock().await;
        stats.produced += 1;
        if items.send(item).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn consume(stats: Arc<Mutex<Stats>>, mut items: mpsc::Receiver<u64>) {
    while let Some(item) = items.recv().await {
        let mut stats = stats.lock().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        stats.processed += item;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("consumer_locks_while_processing");
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let (tx, rx) = mpsc::channel_named("items", 16);
    peeps::spawn_named("consumer", consume(stats.clone(), rx));
    peeps::spawn_named("producer", produce(stats, tx));

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "stats", "lock"));
    park().await
}
