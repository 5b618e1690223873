//! Healthy, under steady load: the everyday way to bound a fan-out. Two
//! crawlers, plain `tokio::spawn` of `async move` blocks with no peeps
//! annotation, each with its own `fetch-limit` semaphore of 3 permits.
//! Each batch of 8 URLs runs as `futures::future::join_all` of plain
//! `async` blocks, each taking a permit with `acquire()` around its fetch
//! (300-700 ms); then the batch's URLs are recorded under `seen`.
//!
//! Inside one batch, three blocks hold the three permits and five wait
//! for one; the holders finish their fetches on their own (timers), so
//! the waiters always get through. Nothing waits for anything the task
//! itself must do next.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `fetch-limit`.

use examples::{park, ready_when, waited_on};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A simulated HTTP GET: 300-700 ms.
async fn fetch(url: u64) -> usize {
    tokio::time::sleep(Duration::from_millis(300 + (url * 137) % 400)).await;
    (url % 5) as usize + 1
}

async fn crawl_batch(first: u64, limit: &Semaphore, seen: &Mutex<HashSet<u64>>) -> usize {
    let urls: Vec<u64> = (first..first + 8).collect();
    let pages = join_all(urls.iter().map(|&url| async move {
        let _permit = limit.acquire().await.expect("the limiter is never closed");
        fetch(url).await
    }))
    .await;
    seen.lock().await.extend(urls);
    pages.iter().sum()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_join_all_fetch_limiter_plain");
    let seen = Arc::new(Mutex::new(HashSet::new()).named("seen"));
    let batches = Arc::new(AtomicU64::new(0));
    for crawler in 0..2u64 {
        let seen = seen.clone();
        let batches = batches.clone();
        tokio::spawn(async move {
            let limit = Semaphore::new(3).named("fetch-limit");
            for batch in 0u64.. {
                let bytes = crawl_batch((crawler * 1_000_000) + batch * 8, &limit, &seen).await;
                std::hint::black_box(bytes);
                batches.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |g| {
        batches.load(Ordering::Relaxed) >= 2 && waited_on(g, NodeKind::Semaphore, "fetch-limit")
    });
    park().await
}
