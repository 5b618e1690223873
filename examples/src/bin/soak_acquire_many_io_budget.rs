//! Healthy, under steady load: a disk I/O budget, `disk-io` (a
//! `peeps::sync::Semaphore` of 8). Two compactors (`peeps::spawn_named`)
//! take 6 at once (`acquire_many`) and hold them 400 ms; four readers
//! (two `peeps::spawn_named`, two plain `tokio::spawn`) take 1 for 40 ms;
//! a checkpointer takes 4 with `acquire_many_owned` and hands them to a
//! plain `tokio::spawn`ed writer that holds them 250 ms, then waits for
//! it. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `disk-io` are long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn compact(io: Arc<Semaphore>, done: Arc<AtomicU64>) {
    loop {
        {
            let _budget = io.acquire_many(6).await.expect("never closed");
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        done.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn read(io: Arc<Semaphore>, done: Arc<AtomicU64>) {
    loop {
        {
            let _one = io.acquire().await.expect("never closed");
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn checkpoint(io: Arc<Semaphore>, done: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let budget = io
            .clone()
            .acquire_many_owned(4)
            .await
            .expect("never closed");
        let writer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            drop(budget);
        });
        writer.await.expect("the writer does not panic");
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_acquire_many_io_budget");
    let io = Arc::new(Semaphore::new(8).named("disk-io"));
    let done = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("compactor-1", compact(io.clone(), done.clone()));
    peeps::spawn_named("compactor-2", compact(io.clone(), done.clone()));
    peeps::spawn_named("reader-1", read(io.clone(), done.clone()));
    peeps::spawn_named("reader-2", read(io.clone(), done.clone()));
    tokio::spawn(read(io.clone(), done.clone()));
    tokio::spawn(read(io.clone(), done.clone()));
    peeps::spawn_named("checkpointer", checkpoint(io.clone(), done.clone()));
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 10 && waited_on(g, NodeKind::Semaphore, "disk-io")
    });
    examples::park().await
}
