//! Healthy, under steady load: a handler that refreshes a parking_lot-style
//! cache with a bounded wait. Three plain handlers loop: lock the async
//! `peeps::sync::Mutex` of sessions, bump their session, then try to put
//! the fresh value in a `peeps::sync::blocking::RwLock` cache with
//! `try_write_for(600 ms)` (skipping the refresh when it gives up), let the
//! sessions go and pause 5 ms. A sync indexer in `spawn_blocking` loops:
//! `read()`s the cache, scans it for 2 ms, and, still under the read,
//! `blocking_lock()`s the sessions to count them. So now and then a
//! handler holds the sessions and waits, at most 600 ms, for the cache the
//! indexer reads, while the indexer waits for the sessions: a cycle of
//! waits the handler's timed lock breaks, every time (the handler skips,
//! lets the sessions go, the indexer goes on). Two workers, so the other
//! tasks keep running meanwhile. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (the handler's timed lock orders
//! nothing, so the only order learned is cache, then sessions).

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Counts {
    refreshed: AtomicU64,
    skipped: AtomicU64,
    scans: AtomicU64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_handler_timed_cache_write_vs_blocking_indexer_plain");
    let sessions = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let cache = Arc::new(RwLock::new(HashMap::<u64, u64>::new()));
    let counts = Arc::new(Counts::default());

    for id in 0..3u64 {
        let (sessions, cache, counts) = (sessions.clone(), cache.clone(), counts.clone());
        tokio::spawn(async move {
            loop {
                let mut s = sessions.lock().await;
                let hits = {
                    let e = s.entry(id).or_default();
                    *e += 1;
                    *e
                };
                match cache.try_write_for(Duration::from_millis(600)) {
                    Some(mut c) => {
                        c.insert(id, hits);
                        counts.refreshed.fetch_add(1, Ordering::Relaxed);
                    }
                    None => {
                        counts.skipped.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(s);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    {
        let (sessions, cache, counts) = (sessions.clone(), cache.clone(), counts.clone());
        tokio::task::spawn_blocking(move || {
            loop {
                let c = cache.read();
                std::thread::sleep(Duration::from_millis(2));
                let total: u64 = c.values().sum();
                let s = sessions.blocking_lock();
                let _ = (total, s.len());
                drop(s);
                drop(c);
                counts.scans.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(3));
            }
        });
    }

    // A plain reporter reads the cache too, now and then.
    let c = cache.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let n = c.read().len();
            let _ = n;
        }
    });

    ready_when(move |_| {
        counts.refreshed.load(Ordering::Relaxed) >= 10
            && counts.skipped.load(Ordering::Relaxed) >= 1
            && counts.scans.load(Ordering::Relaxed) >= 5
    });
    park().await
}
