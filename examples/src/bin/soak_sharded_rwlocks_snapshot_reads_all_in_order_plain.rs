//! Healthy, under steady load: a sharded map, four `RwLock<HashMap>`
//! shards made in one loop (one lock class, `shard`), always taken in
//! shard index order when more than one is held.
//!
//! - eight plain writers write-lock the one shard of their key for a
//!   moment;
//! - a plain snapshotter, every 50 ms, read-locks every shard in index
//!   order, holding them all across a 20 ms "serialize";
//! - a plain rebalancer, every 120 ms, write-locks two different shards,
//!   the lower index first, and moves keys between them across a 5 ms pause;
//! - four plain readers read-lock single shards.
//!
//! One order only (shard 0 → 1 → 2 → 3): the snapshot's reads queue
//! behind writers, writers behind the snapshot's reads, never in a cycle.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const SHARDS: usize = 4;

struct Sharded {
    shards: Vec<RwLock<HashMap<u64, u64>>>,
}

impl Sharded {
    fn new() -> Self {
        Sharded {
            shards: (0..SHARDS)
                .map(|_| RwLock::new(HashMap::new()).named("shard"))
                .collect(),
        }
    }

    fn shard_of(key: u64) -> usize {
        (key % SHARDS as u64) as usize
    }

    async fn put(&self, key: u64, value: u64) {
        self.shards[Self::shard_of(key)]
            .write()
            .await
            .insert(key, value);
    }

    async fn get(&self, key: u64) -> Option<u64> {
        self.shards[Self::shard_of(key)]
            .read()
            .await
            .get(&key)
            .copied()
    }

    async fn snapshot(&self) -> usize {
        let mut guards = Vec::with_capacity(SHARDS);
        for shard in &self.shards {
            guards.push(shard.read().await);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        guards.iter().map(|g| g.len()).sum()
    }

    async fn rebalance(&self, a: usize, b: usize) {
        let (lo, hi) = (a.min(b), a.max(b));
        let mut first = self.shards[lo].write().await;
        let mut second = self.shards[hi].write().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let moved: Vec<u64> = first
            .keys()
            .copied()
            .filter(|k| k % 7 == 0)
            .take(3)
            .collect();
        for k in moved {
            if let Some(v) = first.remove(&k) {
                second.insert(k, v);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_sharded_rwlocks_snapshot_reads_all_in_order_plain");
    let map = Arc::new(Sharded::new());
    let snapshots = Arc::new(AtomicU64::new(0));
    for w in 0..8u64 {
        let map = map.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                map.put((n * 8 + w) % 200, n).await;
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
    }
    for r in 0..4u64 {
        let map = map.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(map.get((n * 3 + r) % 200).await);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let map = map.clone();
        let snapshots = snapshots.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                std::hint::black_box(map.snapshot().await);
                snapshots.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let map = map.clone();
        tokio::spawn(async move {
            for n in 0usize.. {
                tokio::time::sleep(Duration::from_millis(120)).await;
                let a = n % SHARDS;
                let b = (a + 1 + (n / SHARDS) % (SHARDS - 1)) % SHARDS;
                map.rebalance(a, b).await;
            }
        });
    }
    ready_when(move |g| {
        snapshots.load(Ordering::Relaxed) >= 5 && waited_on(g, NodeKind::Rwlock, "shard")
    });
    park().await
}
