//! Healthy, under steady load: two tokio runtimes in one process, both
//! using peeps. On the main two-worker runtime, three plain handlers read
//! a `peeps::sync::blocking::RwLock` of routes in their polls (parking_lot
//! style). A `std::thread` rebuilder takes the routes for writing every
//! 20 ms and, while it holds them, `blocking_lock()`s an async
//! `peeps::sync::Mutex` journal. On a second, current-thread runtime that a
//! `std::thread` drives, a plain appender holds the journal across a
//! 600 ms `tokio::time::sleep` and then `send`s the entry on a
//! `peeps::sync::mpsc` channel to a plain archiver of that runtime, which
//! also reads a `peeps::sync::blocking::Mutex` of archive stats. The
//! handlers take both workers of the main runtime for up to 600 ms at a
//! time; the second runtime never needs them. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::{Mutex as BlockingMutex, RwLock as BlockingRwLock};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_two_runtimes_journal_runtime_uses_channel_workers_read_plain");
    let routes = Arc::new(BlockingRwLock::new(0u64));
    let journal = Arc::new(Mutex::new(0u64));
    let reads = Arc::new(AtomicU64::new(0));
    let rebuilds = Arc::new(AtomicU64::new(0));
    let archived = Arc::new(AtomicU64::new(0));

    let (j, a) = (journal.clone(), archived.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the journal's runtime");
        rt.block_on(async move {
            let (tx, mut rx) = mpsc::channel::<u64>(8);
            let stats = Arc::new(BlockingMutex::new(0u64));
            tokio::spawn(async move {
                while let Some(entry) = rx.recv().await {
                    *stats.lock() += entry;
                    a.fetch_add(1, Ordering::Relaxed);
                }
            });
            let appender = tokio::spawn(async move {
                loop {
                    let mut entry = j.lock().await;
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    *entry += 1;
                    let v = *entry;
                    drop(entry);
                    if tx.send(v).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            });
            let _ = appender.await;
        });
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

    for _ in 0..3 {
        let (routes, reads) = (routes.clone(), reads.clone());
        tokio::spawn(async move {
            loop {
                let v = *routes.read();
                std::hint::black_box(v);
                reads.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    ready_when(move |_| {
        rebuilds.load(Ordering::Relaxed) >= 2
            && archived.load(Ordering::Relaxed) >= 2
            && reads.load(Ordering::Relaxed) >= 20
    });
    park().await
}
