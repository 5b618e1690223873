//! Healthy control: a task uses a channel's sender, then hands it on to a
//! worker started with plain `tokio::spawn`, which sends an hour later.
//!
//! `producer` sends a first reading into `readings` (a use from its own
//! state: peeps believes it holds the sender), then moves the sender into
//! `heartbeat`, started with plain `tokio::spawn`, which sleeps an hour
//! before sending the next, and waits for the `totals` lock. `consumer`
//! took the first reading, locked `totals` and, holding it, waits for the
//! next reading. Nothing is deadlocked: the heartbeat will wake and send,
//! the consumer will take the reading and let the lock go.
//!
//! peeps cannot see `tokio::spawn`, but the heartbeat's instrumented
//! future is the top-level future of its plain task: its first poll finds
//! the sender inside it (moved in at spawn), so the producer's earlier use
//! no longer names the holder.
//!
//! Expected: no deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Sends the next reading an hour from now.
#[peeps::instrument]
async fn heartbeat(readings: mpsc::Sender<u64>) {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let _ = readings.send(2).await;
}

#[peeps::instrument]
async fn produce(readings: mpsc::Sender<u64>, totals: Arc<Mutex<u64>>, locked: Arc<Notify>) {
    if readings.send(1).await.is_err() {
        return;
    }
    // Once the consumer holds the lock (tokio's `Notify`: outside the graph).
    locked.notified().await;
    tokio::spawn(heartbeat(readings));
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
    peeps::install_sigusr1("sender_handed_on_after_use");
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
