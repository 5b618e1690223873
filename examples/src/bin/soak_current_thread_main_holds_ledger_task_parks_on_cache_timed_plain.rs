//! Healthy, under steady load, on a current-thread runtime. `main` holds a
//! `peeps::sync::blocking::Mutex` ledger across a 200 ms
//! `tokio::time::sleep` every 250 ms (the guard lives in `main`'s future),
//! and an async `peeps::sync::Mutex` of stats across a 20 ms sleep that a
//! plain reporter waits for. A `std::thread` warmer holds a
//! `peeps::sync::blocking::Mutex` cache for 350 ms every 400 ms and, while
//! it holds it, tries the ledger with `try_lock_for(100 ms)`, giving up when
//! `main` has it. A plain reader locks the cache in its poll (parking_lot
//! style), so the runtime's only thread waits up to 350 ms for the cache
//! now and then: `main` and the reporter wait their turn, and run once the
//! warmer lets go (its sleep ends; its ledger wait gives up by itself).
//! Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::Mutex;
use peeps::sync::blocking::Mutex as BlockingMutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_main_holds_ledger_task_parks_on_cache_timed_plain");
    let cache = Arc::new(BlockingMutex::new(0u64));
    let ledger = Arc::new(BlockingMutex::new(0u64));
    let stats = Arc::new(Mutex::new(0u64));
    let warms = Arc::new(AtomicU64::new(0));
    let reads = Arc::new(AtomicU64::new(0));
    let reports = Arc::new(AtomicU64::new(0));
    let rounds = Arc::new(AtomicU64::new(0));

    let (c, l, w) = (cache.clone(), ledger.clone(), warms.clone());
    std::thread::spawn(move || {
        loop {
            let mut entries = c.lock();
            if let Some(posted) = l.try_lock_for(Duration::from_millis(100)) {
                *entries = *posted;
            }
            std::thread::sleep(Duration::from_millis(350));
            *entries += 1;
            drop(entries);
            w.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(50));
        }
    });

    let (c, r) = (cache.clone(), reads.clone());
    tokio::spawn(async move {
        loop {
            let v = *c.lock();
            std::hint::black_box(v);
            r.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });

    let (s, rp) = (stats.clone(), reports.clone());
    tokio::spawn(async move {
        loop {
            let v = *s.lock().await;
            std::hint::black_box(v);
            rp.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });

    let (w, r, rp, rd) = (
        warms.clone(),
        reads.clone(),
        reports.clone(),
        rounds.clone(),
    );
    ready_when(move |_| {
        w.load(Ordering::Relaxed) >= 2
            && r.load(Ordering::Relaxed) >= 20
            && rp.load(Ordering::Relaxed) >= 20
            && rd.load(Ordering::Relaxed) >= 4
    });

    loop {
        let mut posted = ledger.lock();
        tokio::time::sleep(Duration::from_millis(200)).await;
        *posted += 1;
        drop(posted);
        let mut s = stats.lock().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        *s += 1;
        drop(s);
        rounds.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
}
