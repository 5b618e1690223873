//! Healthy, under steady load: a token-bucket rate limiter. `rate-limit`
//! (a `peeps::sync::Semaphore`) starts empty; a `refiller` task
//! (`peeps::spawn_named`) adds 3 permits every 250 ms with `add_permits`
//! (up to a burst of 6). Six clients take a permit per request and
//! `forget()` it (the token is spent), then make a 10 ms request; a bulk
//! client takes 4 at once with `acquire_many`. Four clients are
//! `peeps::spawn_named`, two and the bulk one plain `tokio::spawn`.
//! Current-thread runtime.
//!
//! Nobody holds a permit of `rate-limit`: they come from the refiller.
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `rate-limit` are long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BURST: usize = 6;

#[peeps::instrument]
async fn refill(bucket: Arc<Semaphore>, refills: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        let room = BURST.saturating_sub(bucket.available_permits());
        bucket.add_permits(room.min(3));
        refills.fetch_add(1, Ordering::Relaxed);
    }
}

async fn client(bucket: Arc<Semaphore>, sent: Arc<AtomicU64>) {
    loop {
        bucket.acquire().await.expect("never closed").forget();
        tokio::time::sleep(Duration::from_millis(10)).await;
        sent.fetch_add(1, Ordering::Relaxed);
    }
}

async fn bulk_client(bucket: Arc<Semaphore>, sent: Arc<AtomicU64>) {
    loop {
        bucket.acquire_many(4).await.expect("never closed").forget();
        tokio::time::sleep(Duration::from_millis(10)).await;
        sent.fetch_add(4, Ordering::Relaxed);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_rate_limiter_refill");
    let bucket = Arc::new(Semaphore::new(0).named("rate-limit"));
    let sent = Arc::new(AtomicU64::new(0));
    let refills = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("refiller", refill(bucket.clone(), refills.clone()));
    for i in 1..=4 {
        peeps::spawn_named(format!("client-{i}"), client(bucket.clone(), sent.clone()));
    }
    for _ in 0..2 {
        tokio::spawn(client(bucket.clone(), sent.clone()));
    }
    tokio::spawn(bulk_client(bucket.clone(), sent.clone()));
    ready_when(move |g| {
        sent.load(Ordering::Relaxed) >= 12
            && refills.load(Ordering::Relaxed) >= 4
            && waited_on(g, NodeKind::Semaphore, "rate-limit")
    });
    examples::park().await
}
