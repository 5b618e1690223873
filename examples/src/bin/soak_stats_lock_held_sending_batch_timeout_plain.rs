//! Healthy: a batcher that keeps its stats locked while handing a batch
//! on. A plain `tokio::spawn` batcher locks `batch-stats` (a peeps
//! `Mutex`), counts the batch and sends it into `batches` (capacity 1)
//! under a 2 s `tokio::time::timeout` (a batch that times out is counted as
//! shed), then lets the lock go. The `uploader` (`peeps::spawn_named`)
//! ticks every 500 ms, locks `batch-stats` to log them, then drains
//! `batches`: it waits for the lock while the batcher, holding it, waits
//! for room in `batches`, until the batcher's timeout lets go.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Stats {
    batches: u64,
    shed: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_stats_lock_held_sending_batch_timeout_plain");
    let stats = Arc::new(Mutex::new(Stats::default()).named("batch-stats"));
    let (batches, mut batch_rx) = mpsc::channel_named::<Vec<u32>>("batches", 1);
    let batcher_stats = stats.clone();
    tokio::spawn(async move {
        let mut n = 0u32;
        loop {
            let batch: Vec<u32> = (n..n + 16).collect();
            n += 16;
            let mut stats = batcher_stats.lock().await;
            stats.batches += 1;
            if tokio::time::timeout(Duration::from_secs(2), batches.send(batch))
                .await
                .is_err()
            {
                stats.shed += 1;
            }
            drop(stats);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    peeps::spawn_named("uploader", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            {
                let stats = stats.lock().await;
                std::hint::black_box((stats.batches, stats.shed));
            }
            while let Ok(batch) = batch_rx.try_recv() {
                std::hint::black_box(batch);
            }
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "batches", "send")
            && examples::waited_on(snap, NodeKind::Mutex, "batch-stats")
    });
    park().await
}
