//! Healthy, under steady load: three `spawn_blocking` exporters loop
//! reading a `peeps::sync::blocking::RwLock` of metrics (parking_lot
//! style, their blocking-pool threads park on it, not the runtime's
//! workers). A `std::thread` sampler takes the metrics for writing every
//! 20 ms and, while it holds them, `blocking_lock()`s an async
//! `peeps::sync::Mutex` of settings that a plain reloader holds across a
//! 600 ms `tokio::time::sleep`: the exporters wait up to 600 ms, on three
//! blocking threads at once. Both workers of the two-worker runtime stay
//! free: the reloader's sleep ends, and a plain ticker counts every 10 ms.
//! Nothing annotated or named.
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
    peeps::install_sigusr1("soak_spawn_blocking_readers_writer_waits_on_sleeping_holder_plain");
    let metrics = Arc::new(BlockingRwLock::new(0u64));
    let settings = Arc::new(Mutex::new(0u64));
    let exports = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(AtomicU64::new(0));
    let reloads = Arc::new(AtomicU64::new(0));
    let ticks = Arc::new(AtomicU64::new(0));

    let (s, r) = (settings.clone(), reloads.clone());
    tokio::spawn(async move {
        loop {
            let mut current = s.lock().await;
            tokio::time::sleep(Duration::from_millis(600)).await;
            *current += 1;
            drop(current);
            r.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let (m, n) = (metrics.clone(), samples.clone());
    std::thread::spawn(move || {
        loop {
            let mut all = m.write();
            let current = settings.blocking_lock();
            *all += *current;
            drop(current);
            drop(all);
            n.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });

    for _ in 0..3 {
        let (metrics, exports) = (metrics.clone(), exports.clone());
        tokio::task::spawn_blocking(move || {
            loop {
                let v = *metrics.read();
                std::hint::black_box(v);
                exports.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
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
        samples.load(Ordering::Relaxed) >= 2
            && reloads.load(Ordering::Relaxed) >= 2
            && exports.load(Ordering::Relaxed) >= 20
            && ticks.load(Ordering::Relaxed) >= 50
    });
    park().await
}
