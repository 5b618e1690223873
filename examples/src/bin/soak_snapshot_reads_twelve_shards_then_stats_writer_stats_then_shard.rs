//! Healthy, under steady load: a snapshot that holds more locks at once
//! than usual. Twelve `RwLock<HashMap>` shards made in one loop (one
//! class, `shard`). Two snapshotters (one plain `tokio::spawn`, one
//! `peeps::spawn_named("snapshotter", ..)`), every 40 ms, read-lock all
//! twelve shards in index order, sum them across a 5 ms pause, let them
//! all go, and only then take `snap-stats` to record the total. Six plain
//! writers take `snap-stats` for bookkeeping and, holding it, write-lock
//! the one shard of their key (`snap-stats` → `shard`).
//!
//! A snapshotter never holds a shard when it takes `snap-stats`: one
//! order only. The program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const SHARDS: usize = 12;

struct Store {
    shards: Vec<RwLock<HashMap<u64, u64>>>,
    stats: Mutex<(u64, u64)>,
}

async fn snapshot(store: &Store) -> u64 {
    let total = {
        let mut guards = Vec::with_capacity(SHARDS);
        for shard in &store.shards {
            guards.push(shard.read().await);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        guards.iter().map(|g| g.values().sum::<u64>()).sum()
    };
    let mut stats = store.stats.lock().await;
    stats.0 += 1;
    total
}

async fn write(store: &Store, key: u64, value: u64) {
    let mut stats = store.stats.lock().await;
    let mut shard = store.shards[(key % SHARDS as u64) as usize].write().await;
    shard.insert(key, value);
    stats.1 += 1;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_snapshot_reads_twelve_shards_then_stats_writer_stats_then_shard");
    let store = Arc::new(Store {
        shards: (0..SHARDS)
            .map(|_| RwLock::new(HashMap::new()).named("shard"))
            .collect(),
        stats: Mutex::new((0, 0)).named("snap-stats"),
    });
    let snapshots = Arc::new(AtomicU64::new(0));
    for w in 0..6u64 {
        let store = store.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                write(&store, n * 6 + w, n).await;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let store = store.clone();
        let snapshots = snapshots.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(40)).await;
                std::hint::black_box(snapshot(&store).await);
                snapshots.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let store = store.clone();
        let snapshots = snapshots.clone();
        peeps::spawn_named("snapshotter", async move {
            loop {
                tokio::time::sleep(Duration::from_millis(40)).await;
                std::hint::black_box(snapshot(&store).await);
                snapshots.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |g| {
        snapshots.load(Ordering::Relaxed) >= 10 && waited_on(g, NodeKind::Rwlock, "shard")
    });
    park().await
}
