//! Healthy, under steady load: both workers of a two-worker runtime
//! repeatedly parked in short reads of a `peeps::sync::blocking::RwLock` of
//! routes (plain handlers read it in their polls, parking_lot style). A
//! `std::thread` writer takes the routes for writing every 30 ms for a few
//! ms and, while it holds them, wants an async `peeps::sync::Mutex` of
//! certificates that a plain renewer holds across a 300 ms
//! `tokio::time::sleep` now and then: it `try_lock()`s it in a loop with a
//! 1 ms backoff and gives up after 40 ms (the renewer cannot run while both
//! workers wait on the routes, so waiting longer would be a real deadlock).
//! The handlers then wait up to ~45 ms, and the renewer runs again. Nothing
//! annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::RwLock as BlockingRwLock;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_two_workers_short_reads_writer_try_lock_deadline_plain");
    let routes = Arc::new(BlockingRwLock::new(0u64));
    let certs = Arc::new(Mutex::new(0u64));
    let reads = Arc::new(AtomicU64::new(0));
    let writes = Arc::new(AtomicU64::new(0));
    let renewals = Arc::new(AtomicU64::new(0));

    let (c, n) = (certs.clone(), renewals.clone());
    tokio::spawn(async move {
        loop {
            let mut cert = c.lock().await;
            tokio::time::sleep(Duration::from_millis(300)).await;
            *cert += 1;
            drop(cert);
            n.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });

    let (r, w) = (routes.clone(), writes.clone());
    std::thread::spawn(move || {
        loop {
            let mut table = r.write();
            let deadline = Instant::now() + Duration::from_millis(40);
            loop {
                if let Ok(cert) = certs.try_lock() {
                    *table = *cert;
                    break;
                }
                if Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(3));
            drop(table);
            w.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(30));
        }
    });

    for _ in 0..4 {
        let (routes, reads) = (routes.clone(), reads.clone());
        tokio::spawn(async move {
            loop {
                let v = *routes.read();
                std::hint::black_box(v);
                reads.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
    }

    ready_when(move |_| {
        writes.load(Ordering::Relaxed) >= 10
            && renewals.load(Ordering::Relaxed) >= 2
            && reads.load(Ordering::Relaxed) >= 50
    });
    park().await
}
