//! Healthy, under steady load: a cache of per-key locks. `entries` is an
//! `RwLock<HashMap<u64, Arc<Mutex<Entry>>>>`; each entry's mutex is made
//! at one site (one class). Plain `tokio::spawn` of `async move` blocks,
//! no peeps annotation.
//!
//! - four handlers look a key up: `entries.read()`, clone the entry's
//!   `Arc`, let the read go, lock the entry and, on a miss, load it (30-90
//!   ms) under the entry's lock; on a key not in the map they take
//!   `entries.write()` to insert it (entry made, write let go, then
//!   locked). Each then bumps `hits` under the entry's lock.
//! - an evictor, every 200 ms, takes `entries.write()` and `try_lock()`s
//!   each entry, dropping those idle and old (never waiting for one).
//!
//! No task waits for `entries` while holding an entry (the guard of the
//! map is let go first), and the evictor never waits for an entry.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on entries.

use examples::{park, ready_when};
use peeps::graph::{EdgeKind, NodeKind};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Entry {
    value: Option<String>,
    loaded_at: u64,
}

struct Cache {
    entries: RwLock<HashMap<u64, Arc<Mutex<Entry>>>>,
    hits: Mutex<u64>,
    clock: AtomicU64,
}

impl Cache {
    async fn entry(&self, key: u64) -> Arc<Mutex<Entry>> {
        if let Some(e) = self.entries.read().await.get(&key) {
            return e.clone();
        }
        let mut map = self.entries.write().await;
        map.entry(key)
            .or_insert_with(|| Arc::new(Mutex::new(Entry::default()).named("entry")))
            .clone()
    }

    async fn get(&self, key: u64) -> String {
        let entry = self.entry(key).await;
        let mut e = entry.lock().await;
        if e.value.is_none() {
            tokio::time::sleep(Duration::from_millis(30 + (key * 31) % 60)).await;
            e.value = Some(format!("value-{key}"));
            e.loaded_at = self.clock.load(Ordering::Relaxed);
        }
        *self.hits.lock().await += 1;
        e.value.clone().unwrap_or_default()
    }

    async fn evict(&self) {
        let now = self.clock.fetch_add(1, Ordering::Relaxed) + 1;
        let mut map = self.entries.write().await;
        map.retain(|_, e| match e.try_lock() {
            Ok(guard) => now.saturating_sub(guard.loaded_at) < 3,
            Err(_) => true,
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_per_key_locks_outer_rwlock_plain");
    let cache = Arc::new(Cache {
        entries: RwLock::new(HashMap::new()).named("entries"),
        hits: Mutex::new(0).named("hits"),
        clock: AtomicU64::new(0),
    });
    let served = Arc::new(AtomicU64::new(0));
    for h in 0..4u64 {
        let cache = cache.clone();
        let served = served.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let v = cache.get((n * 7 + h * 3) % 12).await;
                std::hint::black_box(v);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let cache = cache.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                cache.evict().await;
            }
        });
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 30
            && g.edges.iter().any(|e| {
                e.kind == EdgeKind::WaitsOn
                    && g.nodes
                        .iter()
                        .any(|n| n.id == e.to && n.kind == NodeKind::Mutex && n.name == "entry")
            })
    });
    park().await
}
