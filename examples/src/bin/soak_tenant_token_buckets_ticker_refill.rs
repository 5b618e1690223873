//! Healthy, under a steady trickle: per-tenant rate limiting with token
//! buckets, each a `peeps::sync::Semaphore` (`tenant-tokens`) kept in a
//! `limiters` `RwLock<HashMap<tenant, Arc<Semaphore>>>` and refilled by a
//! `refill-ticker` (`peeps::spawn_named`) that every 40 ms read-locks the
//! map and tops each bucket up by 1, to at most 5.
//!
//! A request (an `#[peeps::instrument]` fn under plain `tokio::spawn`)
//! looks its tenant's bucket up under a read (making it under a write on
//! first use), lets the guard go, `acquire`s a token and `forget`s it,
//! then locks `request-log` to count itself. One noisy tenant holds its
//! `tenant-stats` mutex while it waits for a token (so its other requests
//! queue on that mutex behind it): the ticker never takes that mutex.
//! Four tenants fire 60 requests each at once, far above the rate; they
//! trickle through for about 2.5 s, then one request a second each.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const BURST: usize = 5;
const REFILL: usize = 1;

#[derive(Default)]
struct Limiters {
    buckets: RwLock<HashMap<u32, Arc<Semaphore>>>,
}

impl Limiters {
    async fn bucket(&self, tenant: u32) -> Arc<Semaphore> {
        if let Some(b) = self.buckets.read().await.get(&tenant) {
            return b.clone();
        }
        self.buckets
            .write()
            .await
            .entry(tenant)
            .or_insert_with(|| Arc::new(Semaphore::new(BURST).named("tenant-tokens")))
            .clone()
    }
}

async fn refill_ticker(limiters: Arc<Limiters>) {
    let mut tick = tokio::time::interval(Duration::from_millis(40));
    loop {
        tick.tick().await;
        for bucket in limiters.buckets.read().await.values() {
            let room = BURST.saturating_sub(bucket.available_permits());
            bucket.add_permits(room.min(REFILL));
        }
    }
}

#[peeps::instrument]
async fn request(
    limiters: Arc<Limiters>,
    tenant: u32,
    stats: Arc<Mutex<u64>>,
    log: Arc<Mutex<Vec<u32>>>,
    served: Arc<AtomicU64>,
) {
    let bucket = limiters.bucket(tenant).await;
    if tenant == 0 {
        // The noisy tenant counts its requests under its own lock, and
        // keeps it while it waits for a token.
        let mut count = stats.lock().await;
        bucket.acquire().await.expect("never closed").forget();
        *count += 1;
    } else {
        bucket.acquire().await.expect("never closed").forget();
    }
    log.lock().await.push(tenant);
    served.fetch_add(1, Ordering::Relaxed);
}

async fn tenant_traffic(
    tenant: u32,
    limiters: Arc<Limiters>,
    log: Arc<Mutex<Vec<u32>>>,
    served: Arc<AtomicU64>,
) {
    let stats = Arc::new(Mutex::new(0u64).named("tenant-stats"));
    let burst: Vec<_> = (0..60)
        .map(|_| {
            tokio::spawn(request(
                limiters.clone(),
                tenant,
                stats.clone(),
                log.clone(),
                served.clone(),
            ))
        })
        .collect();
    for handle in burst {
        let _ = handle.await;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        request(
            limiters.clone(),
            tenant,
            stats.clone(),
            log.clone(),
            served.clone(),
        )
        .await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tenant_token_buckets_ticker_refill");
    let limiters = Arc::new(Limiters::default());
    let log = Arc::new(Mutex::new(Vec::new()).named("request-log"));
    let served = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("refill-ticker", refill_ticker(limiters.clone()));
    for tenant in 0..4 {
        tokio::spawn(tenant_traffic(
            tenant,
            limiters.clone(),
            log.clone(),
            served.clone(),
        ));
    }
    // Mid-burst: most requests still wait for a token.
    ready_when(move |_| served.load(Ordering::Relaxed) >= 40);
    park().await
}
