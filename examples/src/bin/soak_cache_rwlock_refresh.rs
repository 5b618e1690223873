//! Healthy, under steady load: a price cache in a `peeps::sync::RwLock`
//! (`prices`) read by six plain `tokio::spawn` readers in a loop (a read,
//! a 10 ms pause), and a refresher (`peeps::spawn_named("refresher")`,
//! its loop `#[peeps::instrument]`ed) that every 300 ms fetches new
//! prices (a 200 ms timer, no lock held), then takes the write lock and
//! keeps it across a slow rebuild (1.1 s). Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. Readers waiting behind the rebuild are honest long
//! waits on `prices`, held by `refresher`.

use examples::ready_when;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Prices = Arc<RwLock<HashMap<u32, u64>>>;

#[peeps::instrument]
async fn refresh(prices: Prices, refreshed: Arc<AtomicU64>) {
    for round in 1u64.. {
        tokio::time::sleep(Duration::from_millis(300)).await;
        // Fetch (no lock held).
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut table = prices.write().await;
        tokio::time::sleep(Duration::from_millis(1100)).await;
        for item in 0..32 {
            table.insert(item, round * 100 + u64::from(item));
        }
        drop(table);
        refreshed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_cache_rwlock_refresh");
    let prices: Prices = Arc::new(RwLock::new(HashMap::new()).named("prices"));
    let refreshed = Arc::new(AtomicU64::new(0));
    for r in 0..6u32 {
        let prices = prices.clone();
        tokio::spawn(async move {
            for n in 0u32.. {
                let price = prices.read().await.get(&((n + r) % 32)).copied();
                std::hint::black_box(price);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    peeps::spawn_named("refresher", refresh(prices, refreshed.clone()));
    let seen = refreshed.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
