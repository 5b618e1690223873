//! Deadlock: `guard_held_across_send` with its two tasks started by plain
//! `tokio::spawn`, as in code migrated from tokio that only switched its
//! `sync` types to peeps'.
//!
//! The ingest task holds the `stats` guard across its sends into `events`
//! (capacity 1); the indexer, which alone could make room, waits for
//! `stats`. The channel is made in `main`, its ends moved into the tasks
//! at spawn, where peeps cannot follow them; each task uses its end before
//! the deadlock.
//!
//! Expected: one `probable` deadlock of the two tasks (named after their
//! tokio ids, not spawned through peeps) over mutex `stats` and channel
//! `events`.

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
    peeps::install_sigusr1("guard_held_across_send_tokio_spawn");
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let (tx, rx) = mpsc::channel_named("events", 1);
    tokio::spawn(index(stats.clone(), rx));
    tokio::spawn(ingest(stats, tx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "events", "send")
            && waited_on_for(g, NodeKind::Mutex, "stats", "lock")
    });
    park().await
}
