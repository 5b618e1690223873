//! Healthy, under steady load: two tokio runtimes in one process. On the
//! main two-worker runtime, three plain handlers read a
//! `peeps::sync::blocking::RwLock` of routes in their polls (parking_lot
//! style). A `std::thread` rebuilder takes the routes for writing every
//! 20 ms and, while it holds them, `blocking_lock()`s an async
//! `peeps::sync::Mutex` journal. The journal's holder is a plain task of a
//! second, current-thread runtime that a `std::thread` drives: it holds the
//! journal across a 600 ms `tokio::time::sleep`, on its own runtime's
//! thread and timer. So the handlers take both workers of the main runtime
//! for up to 600 ms at a time, but the journal's holder never needs them:
//! its sleep ends, it lets go, the rebuilder ends its write, the handlers
//! read. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::RwLock as BlockingRwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_second_runtime_holder_writer_waits_workers_read_plain");
    let routes = Arc::new(BlockingRwLock::new(0u64));
    let journal = Arc::new(Mutex::new(0u64));
    let reads = Arc::new(AtomicU64::new(0));
    let rebuilds = Arc::new(AtomicU64::new(0));
    let appends = Arc::new(AtomicU64::new(0));

    let (j, a) = (journal.clone(), appends.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("the journal's runtime");
        rt.block_on(async move {
            let appender = tokio::spawn(async move {
                loop {
                    let mut entry = j.lock().await;
                    tokio::time::sleep(Duration::from_millis(600)).await;
                    *entry += 1;
                    drop(entry);
                    a.fetch_add(1, Ordering::Relaxed);
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
            && appends.load(Ordering::Relaxed) >= 2
            && reads.load(Ordering::Relaxed) >= 20
    });
    park().await
}
