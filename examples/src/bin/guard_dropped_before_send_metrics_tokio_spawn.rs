//! Healthy twin of `guard_across_send_metrics_tokio_spawn`: ingest (plain
//! `tokio::spawn`) counts under the `stats` guard and lets it go before
//! each `events.send(..).await` (capacity 1), one event every 10 ms; the
//! indexer (plain `tokio::spawn`) locks `stats` after each receive. A
//! plain metrics loop runs on a timer.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Stats {
    sent: u64,
    indexed: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_dropped_before_send_metrics_tokio_spawn");
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
        for id in 10.. {
            ingest_stats.lock().await.sent += 1;
            if events.send(id).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let indexed = Arc::new(AtomicU64::new(0));
    let seen = indexed.clone();
    tokio::spawn(async move {
        while let Some(id) = rx.recv().await {
            let mut s = stats.lock().await;
            s.indexed += 1;
            seen.store(s.indexed, Ordering::SeqCst);
            println!("indexed {id} ({} of {})", s.indexed, s.sent);
        }
    });
    ready_when(move |_| indexed.load(Ordering::SeqCst) >= 10);
    park().await
}
