//! Deadlock in truth, with unrelated background work alive: an ingest
//! task and an indexer (plain `tokio::spawn` of `async move` blocks, no
//! peeps annotation). Ingest holds the `stats` mutex guard across its
//! `events.send(..).await` (capacity 1) to count what it sent; the
//! indexer, which alone could make room, locks `stats` after each receive
//! to count what it indexed. A plain `tokio::spawn` metrics loop on a
//! timer reads nothing of theirs. Multi-thread runtime.
//!
//! What docs/ownership.md promises: the indexer's wait on `stats` rests
//! on ingest's guard (proof), but ingest's send waits for the receiver,
//! moved into a task peeps cannot see into (and tasks it cannot see into
//! are alive): no deadlock; at a short threshold, long waits of both
//! tasks (`tokio task N`): ingest's send into `events` (no holder named)
//! and the indexer's lock of `stats`, held by ingest.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Stats {
    sent: u64,
    indexed: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_across_send_metrics_tokio_spawn");
    tokio::spawn(async {
        let mut every = tokio::time::interval(Duration::from_millis(50));
        loop {
            every.tick().await;
        }
    });
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let (events, mut rx) = mpsc::channel_named::<u64>("events", 1);
    let ingest_stats = stats.clone();
    tokio::spawn(async move {
        let mut s = ingest_stats.lock().await;
        for id in 10..20 {
            // The bug: the guard is alive across the send.
            if events.send(id).await.is_err() {
                return;
            }
            s.sent += 1;
        }
    });
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let mut s = stats.lock().await;
            s.indexed += 1;
            println!("indexed {id} ({} of {})", s.indexed, s.sent);
        }
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "stats", "lock")
            && waited_on_for(g, NodeKind::Channel, "events", "send")
    });
    park().await
}
