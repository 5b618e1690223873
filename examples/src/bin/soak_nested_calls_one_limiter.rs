//! Healthy, under steady load: an outbound-request limiter shared by
//! nested calls. `http-limit` (a `peeps::sync::Semaphore` of 10) bounds
//! every outgoing HTTP call. A handler fetches an order (a permit, 100-300
//! ms) and, while holding it, fetches the order's customer (another
//! permit, 50-150 ms). Three handlers (two `peeps::spawn_named`, one
//! plain `tokio::spawn`) and a `poller` taking one permit at a time.
//! Multi-thread runtime.
//!
//! At most seven permits are ever held at once (two per handler, one for
//! the poller) out of ten, so no nested call waits for long and none can
//! hang. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn get(limit: &Semaphore, ms: u64) -> u64 {
    let _permit = limit.acquire().await.expect("never closed");
    tokio::time::sleep(Duration::from_millis(ms)).await;
    ms
}

async fn handle(who: u64, limit: Arc<Semaphore>, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        let _order = limit.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(100 + (n * 37 + who * 11) % 200)).await;
        let customer = get(&limit, 50 + (n * 13) % 100).await;
        std::hint::black_box(customer);
        served.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn poll(limit: Arc<Semaphore>) {
    loop {
        get(&limit, 80).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_nested_calls_one_limiter");
    let limit = Arc::new(Semaphore::new(10).named("http-limit"));
    let served = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("poller", poll(limit.clone()));
    peeps::spawn_named("handler-1", handle(1, limit.clone(), served.clone()));
    peeps::spawn_named("handler-2", handle(2, limit.clone(), served.clone()));
    tokio::spawn(handle(3, limit, served.clone()));
    ready_when(move |_| served.load(Ordering::Relaxed) >= 9);
    examples::park().await
}
