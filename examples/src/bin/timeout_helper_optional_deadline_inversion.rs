//! Potential deadlock: one helper, `lock_within(m, deadline)`, locks with
//! an optional deadline (`tokio::time::timeout` when given one, a plain
//! wait when not). Posters (`peeps::spawn_named`) lock `ledger`, then
//! `cache` through the helper with a 100 ms deadline, backing off when it
//! passes. At startup a `reconcile` task (`peeps::spawn_named`, awaited by
//! main) locks `ledger`, then `cache` through the same helper with no
//! deadline. A `flusher` (`peeps::spawn_named`) locks `cache`, holds it
//! 200 ms, then `ledger`. Multi-thread runtime.
//!
//! The posters' waits are given up, but `reconcile`'s wait for `cache`
//! is not bounded at all: run again beside the flusher, it deadlocks with
//! it. Expected: no deadlock, nothing stuck forever; one potential
//! deadlock: `reconcile` took `ledger` then `cache`, `flusher` took
//! `cache` then `ledger`.

use examples::ready_when;
use peeps::sync::{Mutex, MutexGuard};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Locks `m`, giving up after `deadline` if there is one.
async fn lock_within<T>(m: &Mutex<T>, deadline: Option<Duration>) -> Option<MutexGuard<'_, T>> {
    let wait = m.lock();
    match deadline {
        Some(d) => tokio::time::timeout(d, wait).await.ok(),
        None => Some(wait.await),
    }
}

#[peeps::instrument]
async fn reconcile(ledger: Arc<Mutex<Vec<i64>>>, cache: Arc<Mutex<Vec<i64>>>) {
    let entries = lock_within(&ledger, None).await.expect("no deadline");
    let mut cached = lock_within(&cache, None).await.expect("no deadline");
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
        let mut entries = lock_within(&ledger, None).await.expect("no deadline");
        entries.push(n as i64);
        match lock_within(&cache, Some(Duration::from_millis(100))).await {
            Some(mut cached) => cached.push(n as i64),
            None => {
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
    peeps::install_sigusr1("timeout_helper_optional_deadline_inversion");
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
