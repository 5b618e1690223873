//! Deadlock: a task holds a `MutexGuard` across `.await` on a bounded
//! channel's send, while the consumer needs the same mutex.
//!
//! `ingest` locks `stats` once per batch and, still holding the guard,
//! forwards each event of the batch into `events` (capacity 1). `indexer`
//! receives an event, then locks `stats` to count it. With a batch of
//! three the channel fills while `ingest` holds the lock, and `indexer`,
//! which alone could empty it, waits for that lock.
//!
//! The channel is made in `main`; its ends move into the tasks at spawn,
//! and each task uses its end before the deadlock.
//!
//! Expected: one `certain` deadlock of `ingest` and `indexer` over mutex
//! `stats` and channel `events`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;

#[derive(Default)]
struct Stats {
    seen: u64,
    indexed: u64,
}

#[peeps::instrument]
async fn ingest(stats: Arc<Mutex<Stats>>, events: mpsc::Sender<u64>) {
    let batch = [10, 11, 12];
    let mut s = stats.lock().await;
    for id in batch {
        s.seen += 1;
        if events.send(id).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn index(stats: Arc<Mutex<Stats>>, mut events: mpsc::Receiver<u64>) {
    while let Some(id) = events.recv().await {
        let mut s = stats.lock().await;
        s.indexed += 1;
        println!("indexed {id} ({} of {} seen)", s.indexed, s.seen);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_held_across_send");
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let (tx, rx) = mpsc::channel_named("events", 1);
    peeps::spawn_named("indexer", index(stats.clone(), rx));
    peeps::spawn_named("ingest", ingest(stats, tx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "events", "send")
            && waited_on_for(g, NodeKind::Mutex, "stats", "lock")
    });
    park().await
}
