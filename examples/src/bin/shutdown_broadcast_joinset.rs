//! Healthy control: graceful shutdown with a `broadcast` channel and a
//! `JoinSet` draining the workers, one of them still flushing.
//!
//! Three workers (in a tokio `JoinSet`) each loop in a `select!` on the
//! `shutdown` broadcast and a ticker. On shutdown each writes its final
//! record into `flush` (capacity 1), read by `disk-writer`, which takes an
//! hour per write (a slow disk). `main` sends the shutdown, then drains
//! the `JoinSet`. At the snapshot the disk writer is busy with the first
//! record, the second fills the channel, and the third worker waits to
//! send; `main` waits for the workers.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{broadcast, mpsc};
use std::time::Duration;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn run_worker(id: usize, mut shutdown: broadcast::Receiver<()>, flush: mpsc::Sender<String>) {
    let mut ticks = tokio::time::interval(Duration::from_millis(5));
    let mut done = 0u64;
    loop {
        tokio::select! {
            _ = shutdown.recv() => break,
            _ = ticks.tick() => done += 1,
        }
    }
    let _ = flush.send(format!("worker {id}: {done} ticks")).await;
}

#[peeps::instrument]
async fn write_to_disk(mut records: mpsc::Receiver<String>) {
    while let Some(record) = records.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("wrote {record}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_broadcast_joinset");
    let (shutdown, _) = broadcast::channel_named("shutdown", 1);
    let (flush_tx, flush_rx) = mpsc::channel_named("flush", 1);
    peeps::spawn_named("disk-writer", write_to_disk(flush_rx));
    let mut workers = JoinSet::new();
    for id in 1..=3 {
        workers.spawn(run_worker(id, shutdown.subscribe(), flush_tx.clone()));
    }
    drop(flush_tx);

    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = shutdown.send(());
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "flush", "send"));
    while let Some(result) = workers.join_next().await {
        result.expect("a worker does not panic");
    }
    println!("all workers stopped");
}
