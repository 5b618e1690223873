//! Deadlock of three tasks through a fair semaphore's queue and a mutex.
//!
//! `io-slots` has 3 permits; `catalog` is a mutex.
//! - `reader` takes one permit of `io-slots`, then (10 ms later) locks
//!   `catalog`, held by `catalog-writer`: it waits.
//! - `compaction` (20 ms) asks for every permit, `acquire_many(3)`, and
//!   queues: it waits for `reader`'s permit.
//! - `catalog-writer` locks `catalog` first, and 50 ms later asks for one
//!   permit of `io-slots`: 2 are free, but tokio's semaphore is fair, so
//!   it queues behind `compaction`'s acquire.
//!
//! All `peeps::spawn_named`.
//!
//! Expected: one certain deadlock of the three tasks on `io-slots` and
//! `catalog`: `catalog-writer` behind `compaction`'s acquire,
//! `compaction` waiting for `reader`'s permit, `reader` waiting for
//! `catalog-writer`'s guard.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn read_catalog(io: Arc<Semaphore>, catalog: Arc<Mutex<Vec<u64>>>) {
    let _slot = io.acquire().await.expect("never closed");
    tokio::time::sleep(Duration::from_millis(10)).await;
    let entries = catalog.lock().await;
    println!("read {} catalog entries", entries.len());
}

#[peeps::instrument]
async fn compact(io: Arc<Semaphore>) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _all = io.acquire_many(3).await.expect("never closed");
    println!("compacted with every io slot");
}

#[peeps::instrument]
async fn write_catalog(io: Arc<Semaphore>, catalog: Arc<Mutex<Vec<u64>>>) {
    let mut entries = catalog.lock().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _slot = io.acquire().await.expect("never closed");
    entries.push(1);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("bulk_acquire_waits_on_permit_holder_behind_mutex");
    let io = Arc::new(Semaphore::new(3).named("io-slots"));
    let catalog = Arc::new(Mutex::new(Vec::new()).named("catalog"));
    peeps::spawn_named("catalog-writer", write_catalog(io.clone(), catalog.clone()));
    peeps::spawn_named("reader", read_catalog(io.clone(), catalog));
    peeps::spawn_named("compaction", compact(io));
    ready_when(|g| {
        waiters(g, NodeKind::Semaphore, "io-slots") == 2
            && waiters(g, NodeKind::Mutex, "catalog") == 1
    });
    park().await
}
