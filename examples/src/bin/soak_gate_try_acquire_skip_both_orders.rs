//! Healthy, under steady load: maintenance that skips its round when
//! another is running. `maintenance-window`, a
//! `peeps::sync::Semaphore::new(1)`, is taken with `try_acquire()`: a
//! job that finds it busy skips the round. A `compactor` takes the
//! window, then `segments`, then `manifest`; a `checkpointer` takes the
//! window, then `manifest`, then `segments`; each holds them 120 ms,
//! every 50 ms (both `peeps::spawn_named`). Writers (one
//! `peeps::spawn_named`, one plain `tokio::spawn`) lock one at a time.
//! Multi-thread runtime.
//!
//! Both orders run only while holding the window's single permit, so
//! never at once. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Store {
    window: Semaphore,
    segments: Mutex<Vec<u64>>,
    manifest: Mutex<Vec<u64>>,
}

#[peeps::instrument]
async fn compact(store: Arc<Store>, runs: Arc<AtomicU64>, skips: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let Ok(_window) = store.window.try_acquire() else {
            skips.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let mut segments = store.segments.lock().await;
        let mut manifest = store.manifest.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        segments.truncate(16);
        manifest.push(segments.len() as u64);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn checkpoint(store: Arc<Store>, runs: Arc<AtomicU64>, skips: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let Ok(_window) = store.window.try_acquire() else {
            skips.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let mut manifest = store.manifest.lock().await;
        let segments = store.segments.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        manifest.truncate(16);
        manifest.push(segments.len() as u64);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

async fn write(who: u64, store: Arc<Store>, written: Arc<AtomicU64>) {
    for n in 0u64.. {
        if (n + who).is_multiple_of(2) {
            store.segments.lock().await.push(n);
        } else {
            store.manifest.lock().await.push(n);
        }
        written.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gate_try_acquire_skip_both_orders");
    let store = Arc::new(Store {
        window: Semaphore::new(1).named("maintenance-window"),
        segments: Mutex::new(Vec::new()).named("segments"),
        manifest: Mutex::new(Vec::new()).named("manifest"),
    });
    let runs = Arc::new(AtomicU64::new(0));
    let skips = Arc::new(AtomicU64::new(0));
    let written = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "compactor",
        compact(store.clone(), runs.clone(), skips.clone()),
    );
    peeps::spawn_named(
        "checkpointer",
        checkpoint(store.clone(), runs.clone(), skips.clone()),
    );
    peeps::spawn_named("writer-1", write(1, store.clone(), written.clone()));
    tokio::spawn(write(2, store.clone(), written.clone()));
    ready_when(move |g| {
        runs.load(Ordering::Relaxed) >= 4
            && skips.load(Ordering::Relaxed) >= 1
            && written.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Mutex, "segments")
    });
    examples::park().await
}
