//! Healthy, under steady load: a short blocking call inside a select loop
//! that drives a `FuturesUnordered`. A `peeps::spawn_named` crawler loops
//! on a `biased` `select!` of `inflight.next()` (its fetches) and
//! `jobs.recv()` (while fewer than 8 are in flight) fed by a named
//! producer every 4 ms. Each fetch sleeps 5-20 ms, then locks an async
//! `peeps::sync::Mutex` of the page cache and holds it across a 5 ms
//! write, so the fetches queue for the cache inside the crawler's own
//! task. For each page the crawler `record`s a metric synchronously under
//! a `std::sync::Mutex` that a `std::thread` exporter holds for 150 ms out
//! of every 300 ms (it serializes the metrics while holding it), so the
//! crawler's thread blocks there, inside its poll, with fetches of its
//! own holding and awaiting the cache lock: all of them go on once the
//! exporter lets go. A named cache reader locks the cache every 50 ms.
//! Two workers.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn record(metrics: &std::sync::Mutex<HashMap<u64, u64>>, page: u64) {
    let mut m = metrics.lock().expect("metrics poisoned");
    *m.entry(page % 16).or_default() += 1;
}

async fn fetch(cache: &Mutex<HashMap<u64, u64>>, id: u64, addr: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(5 + id % 4 * 5)).await;
    let mut c = cache.lock().await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    c.insert(id % 64, addr);
    addr
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_futures_unordered_fetches_record_std_mutex_metrics_named");
    let metrics = Arc::new(std::sync::Mutex::new(HashMap::<u64, u64>::new()));
    let cache = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let batches = Arc::new(AtomicU64::new(0));

    {
        let metrics = metrics.clone();
        std::thread::Builder::new()
            .name("metrics-exporter".into())
            .spawn(move || {
                for round in 0u64.. {
                    {
                        let mut a = metrics.lock().expect("metrics poisoned");
                        std::thread::sleep(Duration::from_millis(150));
                        for k in 0..16u64 {
                            a.insert(k, k + round);
                        }
                    }
                    std::thread::sleep(Duration::from_millis(150));
                }
            })
            .expect("spawn the exporter");
    }

    let (jobs_tx, mut jobs) = mpsc::channel::<u64>(16);
    peeps::spawn_named("producer", async move {
        for id in 0u64.. {
            tokio::time::sleep(Duration::from_millis(4)).await;
            if jobs_tx.send(id).await.is_err() {
                return;
            }
        }
    });

    {
        let (metrics, cache, batches) = (metrics.clone(), cache.clone(), batches.clone());
        peeps::spawn_named("crawler", async move {
            let mut inflight = FuturesUnordered::new();
            let mut done = 0u64;
            loop {
                tokio::select! {
                    biased;
                    Some(page) = inflight.next(), if !inflight.is_empty() => {
                        record(&metrics, page);
                        done += 1;
                        if done.is_multiple_of(24) {
                            batches.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Some(id) = jobs.recv(), if inflight.len() < 8 => {
                        let addr = id % 16;
                        let cache = cache.clone();
                        inflight.push(async move { fetch(&cache, id, addr).await });
                    }
                }
            }
        });
    }

    peeps::spawn_named("cache-reader", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = cache.lock().await.len();
        }
    });

    ready_when(move |_| batches.load(Ordering::Relaxed) >= 1);
    park().await
}
