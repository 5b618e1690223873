//! Healthy: `sender_handed_on_after_use` with the sender handed to an
//! uninstrumented `async move` block given to plain `tokio::spawn`.
//!
//! peeps sees nothing of the block until it uses the sender an hour
//! later, and the producer's state still holds the bytes the sender was
//! moved out of; the producer is instrumented, so its `tokio::spawn`
//! call hands the sender off (`handed_off`): held by something peeps does
//! not follow, not by the producer (a false alarm before).
//!
//! Expected: no deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[peeps::instrument]
async fn produce(readings: mpsc::Sender<u64>, totals: Arc<Mutex<u64>>, locked: Arc<Notify>) {
    if readings.send(1).await.is_err() {
        return;
    }
    // Once the consumer holds the lock (tokio's `Notify`: outside the graph).
    locked.notified().await;
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = readings.send(2).await;
    });
    let total = *totals.lock().await;
    println!("total so far {total}");
}

#[peeps::instrument]
async fn consume(mut readings: mpsc::Receiver<u64>, totals: Arc<Mutex<u64>>, locked: Arc<Notify>) {
    let first = readings.recv().await.unwrap_or(0);
    let mut total = totals.lock().await;
    locked.notify_one();
    *total += first;
    while let Some(r) = readings.recv().await {
        *total += r;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_handed_on_after_use_async_block");
    let totals = Arc::new(Mutex::new(0).named("totals"));
    let (tx, rx) = mpsc::channel_named("readings", 1);
    let locked = Arc::new(Notify::new());
    peeps::spawn_named("consumer", consume(rx, totals.clone(), locked.clone()));
    peeps::spawn_named("producer", produce(tx, totals, locked));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && waited_on_for(g, NodeKind::Mutex, "totals", "lock")
    });
    park().await
}
