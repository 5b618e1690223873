//! Healthy, under steady load: a storage engine's stop-the-world
//! checkpoint lock. Writers (three plain `tokio::spawn` tasks, no peeps
//! annotation) take `checkpoint.read()` (many writers at once), then
//! `wal` to append and, still holding it, `memtable` to apply: `wal` then
//! `memtable`. The checkpointer takes `checkpoint.write()` every 300 ms,
//! which shuts every writer out, then `memtable` (to freeze it, 60 ms)
//! and, still holding it, `wal` (to truncate): `memtable` then `wal`.
//!
//! The two orders are opposite, but the checkpointer's path runs only
//! under the write guard of `checkpoint`, and every writer's path only
//! under a read guard of it: the two can never run at the same time.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `checkpoint` and `wal`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Engine {
    checkpoint: RwLock<()>,
    wal: Mutex<Vec<(u64, u64)>>,
    memtable: Mutex<BTreeMap<u64, u64>>,
    writes: AtomicU64,
    checkpoints: AtomicU64,
}

impl Engine {
    async fn put(&self, key: u64, value: u64) {
        let _running = self.checkpoint.read().await;
        let mut wal = self.wal.lock().await;
        wal.push((key, value));
        // fsync of the log record
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.memtable.lock().await.insert(key, value);
        drop(wal);
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    async fn run_checkpoint(&self) {
        let _exclusive = self.checkpoint.write().await;
        let mut memtable = self.memtable.lock().await;
        // write the frozen memtable out as a segment
        tokio::time::sleep(Duration::from_millis(60)).await;
        let flushed = std::mem::take(&mut *memtable);
        let mut wal = self.wal.lock().await;
        wal.retain(|(k, _)| !flushed.contains_key(k));
        drop(wal);
        drop(memtable);
        self.checkpoints.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_checkpoint_rwlock_gate_both_orders");
    let engine = Arc::new(Engine {
        checkpoint: RwLock::new(()).named("checkpoint"),
        wal: Mutex::new(Vec::new()).named("wal"),
        memtable: Mutex::new(BTreeMap::new()).named("memtable"),
        writes: AtomicU64::new(0),
        checkpoints: AtomicU64::new(0),
    });
    for w in 0..3u64 {
        let engine = engine.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                engine.put(w * 1_000_000 + n % 500, n).await;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let engine = engine.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                engine.run_checkpoint().await;
            }
        });
    }
    ready_when(move |g| {
        engine.checkpoints.load(Ordering::Relaxed) >= 2
            && engine.writes.load(Ordering::Relaxed) >= 20
            && waited_on(g, NodeKind::Mutex, "wal")
    });
    park().await
}
