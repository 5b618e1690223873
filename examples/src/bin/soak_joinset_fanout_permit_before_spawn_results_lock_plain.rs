//! Healthy, under steady load: a crawler fanning out into a `JoinSet`,
//! limited by a `Semaphore`. For each batch of 16 URLs the plain
//! coordinator `acquire_owned()`s one of 3 permits *before* spawning each
//! fetch into the `JoinSet` (so it waits for a running fetch to finish
//! once 3 are out), moves the permit into the fetch, which sleeps 10-40 ms,
//! locks a `Mutex` of results and a `Mutex` of per-host counts (results
//! first), and drops the permit on its way out; then the coordinator
//! drains the set with `join_next` and pauses 300 ms. A second plain
//! coordinator does the same with `acquire()` inside each task instead. A
//! plain reporter locks results then host counts every 40 ms. Nothing
//! annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (results, then hosts, everywhere).

use examples::{park, ready_when};
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

#[derive(Clone)]
struct Shared {
    limit: Arc<Semaphore>,
    results: Arc<Mutex<Vec<u64>>>,
    hosts: Arc<Mutex<HashMap<u64, u64>>>,
    batches: Arc<AtomicU64>,
}

async fn fetch(sh: &Shared, url: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(10 + url % 4 * 10)).await;
    let mut r = sh.results.lock().await;
    r.push(url);
    if r.len() > 512 {
        r.clear();
    }
    let mut h = sh.hosts.lock().await;
    *h.entry(url % 5).or_default() += 1;
    url * 3
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_joinset_fanout_permit_before_spawn_results_lock_plain");
    let sh = Shared {
        limit: Arc::new(Semaphore::new(3)),
        results: Arc::new(Mutex::new(Vec::new())),
        hosts: Arc::new(Mutex::new(HashMap::new())),
        batches: Arc::new(AtomicU64::new(0)),
    };

    let s = sh.clone();
    tokio::spawn(async move {
        let mut next = 0u64;
        loop {
            let mut set = JoinSet::new();
            for _ in 0..16 {
                let permit = s.limit.clone().acquire_owned().await.expect("limit closed");
                next += 1;
                let (s2, url) = (s.clone(), next);
                set.spawn(async move {
                    let body = fetch(&s2, url).await;
                    drop(permit);
                    body
                });
            }
            while let Some(res) = set.join_next().await {
                res.expect("a fetch panicked");
            }
            s.batches.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });

    let s = sh.clone();
    tokio::spawn(async move {
        let mut next = 1_000_000u64;
        loop {
            let mut set = JoinSet::new();
            for _ in 0..16 {
                next += 1;
                let (s2, url) = (s.clone(), next);
                set.spawn(async move {
                    let _permit = s2.limit.acquire().await.expect("limit closed");
                    fetch(&s2, url).await
                });
            }
            while let Some(res) = set.join_next().await {
                res.expect("a fetch panicked");
            }
            s.batches.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    });

    let s = sh.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let r = s.results.lock().await;
            let h = s.hosts.lock().await;
            let _ = (r.len(), h.len());
        }
    });

    ready_when(move |_| sh.batches.load(Ordering::Relaxed) >= 3);
    park().await
}
