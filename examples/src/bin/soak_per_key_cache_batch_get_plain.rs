//! Healthy, under steady load: a per-key locking cache read in batches.
//! Each key's entry is a `Mutex` made at one site (`entry`, one class),
//! kept in a `std::sync::Mutex<HashMap>`; `get` clones the entry's `Arc`
//! out of the map, locks the entry and, when it is stale, revalidates it
//! with the origin (300-600 ms) under the entry's lock, so that one
//! request loads a key and the others wait for it. Plain `tokio::spawn`
//! of `async move` blocks, no peeps annotation.
//!
//! Four handlers serve multi-gets: `join_all` of `get` over the request's
//! keys, in the request's order (`[3, 7]` for one client, `[7, 3]` for
//! another, ...). So one handler's `get(3)` holds entry 3 while its
//! `get(7)` waits for entry 7, held by another handler's `get(7)` while
//! its `get(3)` waits. Each holder's revalidation ends on its own (a
//! timer) and lets its entry go, whatever its sibling waits for: the
//! futures of one `join_all` hold and wait independently.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `entry` locks.

use examples::{park, ready_when};
use futures::future::join_all;
use peeps::graph::{EdgeKind, NodeKind};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Entry {
    value: Option<String>,
    reads: u64,
}

#[derive(Default)]
struct Cache {
    entries: std::sync::Mutex<HashMap<u64, Arc<Mutex<Entry>>>>,
}

impl Cache {
    async fn get(&self, key: u64) -> String {
        let entry = {
            let mut map = self.entries.lock().expect("not poisoned");
            map.entry(key)
                .or_insert_with(|| Arc::new(Mutex::new(Entry::default()).named("entry")))
                .clone()
        };
        let mut e = entry.lock().await;
        e.reads += 1;
        if e.value.is_none() || e.reads % 3 == 0 {
            // revalidate with the origin
            tokio::time::sleep(Duration::from_millis(300 + (key * 71 + e.reads * 13) % 300)).await;
            e.value = Some(format!("value-{key}-{}", e.reads));
        }
        e.value.clone().unwrap_or_default()
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_per_key_cache_batch_get_plain");
    let cache = Arc::new(Cache::default());
    let served = Arc::new(AtomicU64::new(0));
    let batches: [&[u64]; 4] = [&[3, 7], &[7, 3], &[1, 3, 5], &[5, 1, 7]];
    for keys in batches {
        let cache = cache.clone();
        let served = served.clone();
        tokio::spawn(async move {
            loop {
                let values = join_all(keys.iter().map(|&k| cache.get(k))).await;
                std::hint::black_box(values);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 6
            && g.edges.iter().any(|e| {
                e.kind == EdgeKind::WaitsOn
                    && g.nodes
                        .iter()
                        .any(|n| n.id == e.to && n.kind == NodeKind::Mutex && n.name == "entry")
            })
    });
    park().await
}
