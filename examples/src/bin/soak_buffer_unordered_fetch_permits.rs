//! Healthy, under steady load: three crawlers each fetch batches of 12
//! URLs with `futures::stream::iter(..).map(fetch).buffer_unordered(6)`;
//! every fetch takes an owned permit of `http-conns` (3 permits, shared by
//! all crawlers) and holds it across a 100-600 ms request. Two crawlers
//! are `peeps::spawn_named`, one a plain `tokio::spawn`. Multi-thread
//! runtime.
//!
//! Inside one crawler, some fetches hold permits (on a timer) while
//! others wait for one. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock; waits on `http-conns` are long.

use examples::{ready_when, waited_on};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn fetch(conns: Arc<Semaphore>, url: String) -> usize {
    let _conn = conns.acquire_owned().await.expect("never closed");
    let n = url.len() as u64 + url.bytes().map(u64::from).sum::<u64>();
    tokio::time::sleep(Duration::from_millis(100 + (n * 37) % 500)).await;
    url.len()
}

async fn crawl(who: u64, conns: Arc<Semaphore>, fetched: Arc<AtomicU64>) {
    for batch in 0u64.. {
        let urls: Vec<String> = (0..12)
            .map(|i| format!("https://example.com/{who}/{batch}/{i}"))
            .collect();
        let bytes: usize = futures::stream::iter(urls)
            .map(|url| fetch(conns.clone(), url))
            .buffer_unordered(6)
            .inspect(|_| {
                fetched.fetch_add(1, Ordering::Relaxed);
            })
            .fold(0, |acc, n| async move { acc + n })
            .await;
        std::hint::black_box(bytes);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_buffer_unordered_fetch_permits");
    let conns = Arc::new(Semaphore::new(3).named("http-conns"));
    let fetched = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("crawler-1", crawl(1, conns.clone(), fetched.clone()));
    peeps::spawn_named("crawler-2", crawl(2, conns.clone(), fetched.clone()));
    tokio::spawn(crawl(3, conns, fetched.clone()));
    ready_when(move |g| {
        fetched.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Semaphore, "http-conns")
    });
    examples::park().await
}
