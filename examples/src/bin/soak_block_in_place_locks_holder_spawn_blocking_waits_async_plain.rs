//! Healthy, under steady load: six plain workers of a two-worker runtime
//! each take a `peeps::sync::blocking::Mutex` of the shared index inside
//! `tokio::task::block_in_place(|| index.lock())` (handing their worker to
//! a fresh thread while they park). A `spawn_blocking` compactor holds the
//! index for a whole compaction and, during it, `blocking_lock()`s an async
//! `peeps::sync::Mutex` manifest that a plain uploader holds across a
//! 500 ms `tokio::time::sleep`: the workers wait up to 500 ms, on six
//! threads at once, while other plain tasks keep running on the cores
//! `block_in_place` handed on (a ticker every 10 ms). Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::Mutex as BlockingMutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_locks_holder_spawn_blocking_waits_async_plain");
    let index = Arc::new(BlockingMutex::new(Vec::<u64>::new()));
    let manifest = Arc::new(Mutex::new(0u64));
    let inserts = Arc::new(AtomicU64::new(0));
    let compactions = Arc::new(AtomicU64::new(0));
    let uploads = Arc::new(AtomicU64::new(0));
    let ticks = Arc::new(AtomicU64::new(0));

    let (m, u) = (manifest.clone(), uploads.clone());
    tokio::spawn(async move {
        loop {
            let mut version = m.lock().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
            *version += 1;
            drop(version);
            u.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let (ix, c) = (index.clone(), compactions.clone());
    tokio::task::spawn_blocking(move || {
        loop {
            let mut entries = ix.lock();
            let version = manifest.blocking_lock();
            entries.retain(|e| *e >= *version);
            drop(version);
            drop(entries);
            c.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });

    for w in 0..6u64 {
        let (index, inserts) = (index.clone(), inserts.clone());
        tokio::spawn(async move {
            loop {
                tokio::task::block_in_place(|| {
                    let mut entries = index.lock();
                    entries.push(w);
                    if entries.len() > 1000 {
                        entries.clear();
                    }
                });
                inserts.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    let t = ticks.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            t.fetch_add(1, Ordering::Relaxed);
        }
    });

    ready_when(move |_| {
        compactions.load(Ordering::Relaxed) >= 2
            && uploads.load(Ordering::Relaxed) >= 2
            && inserts.load(Ordering::Relaxed) >= 20
            && ticks.load(Ordering::Relaxed) >= 50
    });
    park().await
}
