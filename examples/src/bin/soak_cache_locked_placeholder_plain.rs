//! Healthy, under steady load: a read-through cache that inserts a
//! *locked placeholder* for a missing key, so concurrent getters of that
//! key wait on the slot's mutex while one loader fills it. Plain
//! `tokio::spawn`, no peeps annotation.
//!
//! The map is a `peeps::sync::RwLock<HashMap<u64, Arc<Mutex<Option<V>>>>>`.
//! A getter reads the map (the read guard dropped at once) and locks the
//! key's slot. On a miss it takes the map's write lock, checks again,
//! makes the slot, locks it (it is new: nobody else can reach it yet),
//! inserts it, drops the write guard and loads the value from a slow
//! backend (5-30 ms), holding only the slot. A value depends on its
//! parent key's (`key / 2`): the loader peeks at the parent through a
//! brief read of the map and a `try_lock` of the parent's slot. An
//! evictor write-locks the map every 150 ms and drops filled slots it can
//! `try_lock`. Six clients get random keys of 200.
//!
//! Locks are taken in one order: the map, then a slot. The one slot
//! taken under the map's write lock is one nobody else can hold, so the
//! read of the map under a slot waits at most for a writer that waits for
//! nothing. Expected, in every dump: no deadlock, nothing stuck forever,
//! no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Value {
    key: u64,
    parent_seen: bool,
}

type Slot = Arc<Mutex<Option<Value>>>;

struct Cache {
    entries: RwLock<HashMap<u64, Slot>>,
    loads: AtomicU64,
}

impl Cache {
    async fn get(&self, key: u64) -> Value {
        loop {
            let slot = self.entries.read().await.get(&key).cloned();
            if let Some(slot) = slot {
                if let Some(value) = slot.lock().await.clone() {
                    return value;
                }
                // Evicted or not filled: look again.
                tokio::task::yield_now().await;
                continue;
            }
            let mut entries = self.entries.write().await;
            if entries.contains_key(&key) {
                continue;
            }
            let slot: Slot = Arc::new(Mutex::new(None));
            let mut fill = slot.lock().await;
            entries.insert(key, slot.clone());
            drop(entries);
            let value = self.load(key).await;
            *fill = Some(value.clone());
            return value;
        }
    }

    /// The parent's value if it is cached and not being filled.
    async fn peek(&self, key: u64) -> Option<Value> {
        let slot = self.entries.read().await.get(&key).cloned()?;
        let value = slot.try_lock().ok()?;
        value.clone()
    }

    async fn load(&self, key: u64) -> Value {
        let parent_seen = key > 1 && self.peek(key / 2).await.is_some();
        let n = self.loads.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5 + (n * 7 + key) % 26)).await;
        Value { key, parent_seen }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_cache_locked_placeholder_plain");
    let cache = Arc::new(Cache {
        entries: RwLock::new(HashMap::new()).named("entries"),
        loads: AtomicU64::new(0),
    });
    let served = Arc::new(AtomicU64::new(0));
    for c in 0..6u64 {
        let cache = cache.clone();
        let served = served.clone();
        tokio::spawn(async move {
            let mut x = c * 2654435761 + 1;
            loop {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let key = (x >> 33) % 200;
                let value = cache.get(key).await;
                assert_eq!(value.key, key);
                std::hint::black_box(value.parent_seen);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
    }
    let evictor = cache.clone();
    tokio::spawn(async move {
        let mut round = 0u64;
        loop {
            tokio::time::sleep(Duration::from_millis(150)).await;
            round += 1;
            let mut entries = evictor.entries.write().await;
            entries.retain(|key, slot| match slot.try_lock() {
                Ok(value) => value.is_none() || !(key + round).is_multiple_of(4),
                Err(_) => true,
            });
        }
    });
    let ready = cache.clone();
    ready_when(move |_| {
        served.load(Ordering::Relaxed) >= 300 && ready.loads.load(Ordering::Relaxed) >= 150
    });
    park().await
}
