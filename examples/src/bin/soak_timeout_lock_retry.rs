//! Healthy, under steady load: searchers read a shared `index`
//! (`peeps::sync::Mutex`) under `tokio::time::timeout(350 ms, ..)` and, on
//! a timeout, count it, back off and retry. A `compactor` task keeps the
//! index locked for 600 ms every 200 ms (rewriting segments). Two
//! searchers are `peeps::spawn_named`, two plain `tokio::spawn`.
//! Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `index` may be long (the compactor sleeps
//! while holding it).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Index {
    segments: Vec<u64>,
}

async fn search(index: Arc<Mutex<Index>>, hits: Arc<AtomicU64>, timeouts: Arc<AtomicU64>) {
    let mut q = 0u64;
    loop {
        q += 1;
        match tokio::time::timeout(Duration::from_millis(350), index.lock()).await {
            Ok(idx) => {
                let found = idx.segments.iter().filter(|s| *s % 7 == q % 7).count();
                std::hint::black_box(found);
                drop(idx);
                hits.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
            Err(_elapsed) => {
                timeouts.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
}

#[peeps::instrument]
async fn compact(index: Arc<Mutex<Index>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut idx = index.lock().await;
        // Rewriting segments takes a while, under the lock.
        tokio::time::sleep(Duration::from_millis(600)).await;
        let n = idx.segments.len() as u64;
        idx.segments.push(n);
        if idx.segments.len() > 64 {
            idx.segments.drain(..32);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_timeout_lock_retry");
    let index = Arc::new(
        Mutex::new(Index {
            segments: (0..16).collect(),
        })
        .named("index"),
    );
    let hits = Arc::new(AtomicU64::new(0));
    let timeouts = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("compactor", compact(index.clone()));
    for name in ["searcher-1", "searcher-2"] {
        peeps::spawn_named(name, search(index.clone(), hits.clone(), timeouts.clone()));
    }
    for _ in 0..2 {
        tokio::spawn(search(index.clone(), hits.clone(), timeouts.clone()));
    }
    let (h, t) = (hits.clone(), timeouts.clone());
    ready_when(move |g| {
        h.load(Ordering::Relaxed) >= 10
            && t.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "index")
    });
    examples::park().await
}
