//! Healthy, under steady load: two workers (`peeps::spawn_named`,
//! `ingest-1`, `ingest-2`) share `buffers`, a `Semaphore` of 3: each takes
//! one permit, reads for 30 ms, then takes a second permit for the write
//! (nested: fine on its own, 3 permits for 2 tasks needing 2). A
//! `snapshot` task (`peeps::spawn_named`) now and then wants every permit:
//! `tokio::time::timeout(80 ms, acquire_many(3))`, and gives up when the
//! time is out. While it waits, a worker's second acquire queues behind it
//! (tokio's semaphore is fair) with permits free, and the snapshot waits
//! for that worker's first permit: a cycle that the timeout breaks every
//! time. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the snapshot's acquire is timed: a way out).

use examples::ready_when;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn ingest(buffers: Arc<Semaphore>, id: u64, done: Arc<AtomicU64>) {
    for n in 0u64.. {
        let _read = buffers.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(30 + (n * 11 + id * 7) % 20)).await;
        let _write = buffers.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(5)).await;
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn snapshot(buffers: Arc<Semaphore>, gave_up: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(40)).await;
        match tokio::time::timeout(Duration::from_millis(80), buffers.acquire_many(3)).await {
            Ok(all) => {
                let _all = all.expect("never closed");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(_) => {
                gave_up.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_bulk_acquire_timeout_gives_up");
    let buffers = Arc::new(Semaphore::new(3).named("buffers"));
    let done = Arc::new(AtomicU64::new(0));
    let gave_up = Arc::new(AtomicU64::new(0));
    for id in 1..=2 {
        peeps::spawn_named(
            format!("ingest-{id}"),
            ingest(buffers.clone(), id, done.clone()),
        );
    }
    peeps::spawn_named("snapshot", snapshot(buffers, gave_up.clone()));
    ready_when(move |_| gave_up.load(Ordering::Relaxed) >= 1 && done.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
