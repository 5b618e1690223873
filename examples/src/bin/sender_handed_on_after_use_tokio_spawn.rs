//! Healthy control: `sender_handed_on_after_use` with its two tasks
//! started by plain `tokio::spawn`, as code migrated from tokio does.
//!
//! The producer uses the sender from the state of its instrumented future
//! (which peeps takes as the plain task's own), then hands it on to an
//! instrumented `heartbeat` that sends an hour later, and waits for the
//! `totals` lock the consumer holds while it waits for that reading. The
//! heartbeat's first poll finds the sender inside it.
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
    peeps::install_sigusr1("sender_handed_on_after_use_tokio_spawn");
    let totals = Arc::new(Mutex::new(0).named("totals"));
    let (tx, rx) = mpsc::channel_named("readings", 1);
    let locked = Arc::new(Notify::new());
    tokio::spawn(consume(rx, totals.clone(), locked.clone()));
    tokio::spawn(produce(tx, totals, locked));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && waited_on_for(g, NodeKind::Mutex, "totals", "lock")
    });
    park().await
}
