//! Healthy, under steady load: a price cache in front of a slow upstream.
//! `fetch(id)` reads an `Arc<RwLock<HashMap>>` cache (the read guard gone
//! at the end of the statement); on a miss it takes one of 3 permits of a
//! `Semaphore` guarding the upstream, "asks" it (a 5-25 ms sleep holding
//! the permit; 400 ms for every 13th id, a slow upstream shard) and writes the price in. A plain quote task runs
//! `stream::iter(ids).map(fetch).buffer_unordered(4)` every 20 ms, a plain
//! basket task `futures::future::join_all` of six fetches every 30 ms, and
//! a plain invalidator write-locks the cache every 45 ms to drop a few
//! keys, so misses keep coming. Futures of one task wait for permits
//! other futures of the same task hold across their sleep. Multi-thread
//! runtime, nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use futures::future::join_all;
use futures::stream::{self, StreamExt};
use peeps::sync::{RwLock, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct Prices {
    cache: Arc<RwLock<HashMap<u32, u64>>>,
    upstream: Arc<Semaphore>,
    misses: Arc<AtomicU64>,
}

impl Prices {
    async fn fetch(&self, id: u32) -> u64 {
        if let Some(p) = self.cache.read().await.get(&id).copied() {
            return p;
        }
        let price = {
            let _permit = self.upstream.acquire().await.expect("upstream open");
            let ms = if id.is_multiple_of(13) {
                400
            } else {
                5 + u64::from(id % 5) * 5
            };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            u64::from(id) * 100 + 7
        };
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.cache.write().await.insert(id, price);
        price
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_buffer_unordered_join_all_price_cache_plain");
    let prices = Prices {
        cache: Arc::new(RwLock::new(HashMap::new())),
        upstream: Arc::new(Semaphore::new(3)),
        misses: Arc::new(AtomicU64::new(0)),
    };

    let p = prices.clone();
    tokio::spawn(async move {
        for round in 0u32.. {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let ids: Vec<u32> = (0..10).map(|i| (round * 3 + i) % 40).collect();
            let quotes: Vec<u64> = stream::iter(ids)
                .map(|id| {
                    let p = p.clone();
                    async move { p.fetch(id).await }
                })
                .buffer_unordered(4)
                .collect()
                .await;
            assert_eq!(quotes.len(), 10);
        }
    });

    let p = prices.clone();
    tokio::spawn(async move {
        for round in 0u32.. {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let basket = (0..6).map(|i| p.fetch((round + i * 7) % 40));
            let total: u64 = join_all(basket).await.into_iter().sum();
            assert!(total > 0);
        }
    });

    let p = prices.clone();
    tokio::spawn(async move {
        for round in 0u32.. {
            tokio::time::sleep(Duration::from_millis(45)).await;
            let mut cache = p.cache.write().await;
            cache.retain(|id, _| !(id + round).is_multiple_of(3));
        }
    });

    let misses = prices.misses.clone();
    ready_when(move |_| misses.load(Ordering::Relaxed) >= 60);
    park().await
}
