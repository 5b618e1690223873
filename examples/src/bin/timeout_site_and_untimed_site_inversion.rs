//! Potential deadlock: `ledger` then `cache` is taken at two places, only
//! one of them under a timeout. At startup a `reconcile` task
//! (`peeps::spawn_named`) locks `ledger`, then `cache`, with no timeout,
//! and ends (main awaits it). Then two posters (`peeps::spawn_named`)
//! lock `ledger`, then `cache` under `tokio::time::timeout(100 ms, ..)`,
//! backing off when it fires; a `flusher` (`peeps::spawn_named`) locks
//! `cache`, holds it 200 ms, then locks `ledger`. Multi-thread runtime.
//!
//! The posters' waits are given up (the flusher holds `cache` while it
//! waits for `ledger`), but the reconcile path waits for `cache` for good:
//! run again beside the flusher, it deadlocks with it. Expected: no
//! deadlock, nothing stuck forever; one potential deadlock: `reconcile`
//! took `ledger` then `cache`, `flusher` took `cache` then `ledger`.

use examples::ready_when;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn reconcile(ledger: Arc<Mutex<Vec<i64>>>, cache: Arc<Mutex<Vec<i64>>>) {
    let entries = ledger.lock().await;
    let mut cached = cache.lock().await;
    cached.clone_from(&entries);
}

#[peeps::instrument]
async fn post(
    who: u64,
    ledger: Arc<Mutex<Vec<i64>>>,
    cache: Arc<Mutex<Vec<i64>>>,
    backoffs: Arc<AtomicU64>,
) {
    for n in 0u64.. {
        let mut entries = ledger.lock().await;
        entries.push(n as i64);
        match tokio::time::timeout(Duration::from_millis(100), cache.lock()).await {
            Ok(mut cached) => cached.push(n as i64),
            Err(_) => {
                drop(entries);
                backoffs.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(Duration::from_millis(10 + (n * 7 + who * 13) % 30)).await;
    }
}

#[peeps::instrument]
async fn flush(ledger: Arc<Mutex<Vec<i64>>>, cache: Arc<Mutex<Vec<i64>>>, flushes: Arc<AtomicU64>) {
    loop {
        {
            let mut cached = cache.lock().await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut entries = ledger.lock().await;
            entries.truncate(1_000);
            cached.clear();
        }
        flushes.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("timeout_site_and_untimed_site_inversion");
    let ledger = Arc::new(Mutex::new(Vec::new()).named("ledger"));
    let cache = Arc::new(Mutex::new(Vec::new()).named("cache"));
    peeps::spawn_named("reconcile", reconcile(ledger.clone(), cache.clone()))
        .await
        .expect("reconcile");
    let backoffs = Arc::new(AtomicU64::new(0));
    let flushes = Arc::new(AtomicU64::new(0));
    for who in 1..=2 {
        peeps::spawn_named(
            format!("poster-{who}"),
            post(who, ledger.clone(), cache.clone(), backoffs.clone()),
        );
    }
    peeps::spawn_named("flusher", flush(ledger, cache, flushes.clone()));
    ready_when(move |_| {
        backoffs.load(Ordering::Relaxed) >= 2 && flushes.load(Ordering::Relaxed) >= 2
    });
    examples::park().await
}
