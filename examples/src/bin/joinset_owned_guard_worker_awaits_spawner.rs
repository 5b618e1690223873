//! Deadlock: a `lock_owned` guard handed, with the receiver of a channel,
//! to an instrumented worker started in a `JoinSet`; the worker drains
//! the channel holding the guard, and the spawner locks the mutex again
//! before it sends the first batch.
//!
//! `flusher` (`peeps::spawn_named`, its body instrumented) takes `buffer`,
//! appends to it, spawns `drain(guard, batches_rx)` in a `JoinSet`, then
//! locks `buffer` again; the worker waits to receive from `batches`,
//! whose sender `flusher` holds.
//!
//! Expected: one deadlock (probable or certain) of `flusher` and the
//! worker (a plain tokio task) over mutex `buffer` and channel `batches`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, mpsc};
use std::sync::Arc;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn drain(mut buffer: OwnedMutexGuard<Vec<u64>>, mut batches: mpsc::Receiver<Vec<u64>>) {
    while let Some(batch) = batches.recv().await {
        buffer.extend(batch);
    }
}

#[peeps::instrument]
async fn flush(buffer: Arc<Mutex<Vec<u64>>>) {
    let mut guard = buffer.clone().lock_owned().await;
    guard.push(1);
    let (batches, batches_rx) = mpsc::channel_named("batches", 1);
    let mut workers = JoinSet::new();
    workers.spawn(drain(guard, batches_rx));
    let pending = buffer.lock().await.len();
    let _ = batches.send(vec![pending as u64]).await;
    drop(batches);
    while workers.join_next().await.is_some() {}
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_owned_guard_worker_awaits_spawner");
    let buffer = Arc::new(Mutex::new(Vec::new()).named("buffer"));
    peeps::spawn_named("flusher", flush(buffer));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "buffer", "lock")
            && waited_on_for(g, NodeKind::Channel, "batches", "recv")
    });
    park().await
}
