//! Healthy, under steady load: plain request handlers on a two-worker
//! runtime read a `peeps::sync::blocking::RwLock` of routes inside
//! `tokio::task::block_in_place`, so a handler parked on the lock hands its
//! worker to a fresh thread first (tokio's documented way to block in a
//! task). A `std::thread` rebuilder takes the routes for writing every
//! 20 ms and, while it holds them, `blocking_lock()`s an async
//! `peeps::sync::Mutex` journal that a plain appender holds across a
//! 600 ms `tokio::time::sleep`: the handlers wait up to 600 ms for the
//! routes, on four threads at once, while both workers' cores run
//! elsewhere (the appender's sleep ends, it lets go of the journal, the
//! rebuilder ends its write). Nothing annotated or named.
//!
//! Nothing can hang: every task keeps a worker, since `block_in_place`
//! gave the parked ones' away. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::RwLock as BlockingRwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_readers_writer_waits_on_sleeping_holder_plain");
    let routes = Arc::new(BlockingRwLock::new(0u64));
    let journal = Arc::new(Mutex::new(0u64));
    let reads = Arc::new(AtomicU64::new(0));
    let rebuilds = Arc::new(AtomicU64::new(0));
    let appends = Arc::new(AtomicU64::new(0));

    let (j, a) = (journal.clone(), appends.clone());
    tokio::spawn(async move {
        loop {
            let mut entry = j.lock().await;
            tokio::time::sleep(Duration::from_millis(600)).await;
            *entry += 1;
            drop(entry);
            a.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let (r, b) = (routes.clone(), rebuilds.clone());
    std::thread::spawn(move || {
        loop {
            let mut table = r.write();
            let entry = journal.blocking_lock();
            *table = *entry;
            drop(entry);
            drop(table);
            b.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });

    for _ in 0..4 {
        let (routes, reads) = (routes.clone(), reads.clone());
        tokio::spawn(async move {
            loop {
                let v = tokio::task::block_in_place(|| *routes.read());
                std::hint::black_box(v);
                reads.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    ready_when(move |_| {
        rebuilds.load(Ordering::Relaxed) >= 2
            && appends.load(Ordering::Relaxed) >= 2
            && reads.load(Ordering::Relaxed) >= 20
    });
    park().await
}
