//! Healthy, under steady load: a batch endpoint whose lookups each read
//! the shared config across their database call. Three handlers, plain
//! `tokio::spawn` of `async move` blocks with no peeps annotation, serve
//! batches of 10 ids with `stream::iter(ids).map(lookup)
//! .buffer_unordered(4)`; each `lookup` takes `config.read()` and keeps it
//! across a 100-400 ms query (it needs the replica address and the
//! timeout); the batch's rows then go into `cache`. A reloader writes
//! `config` every 250 ms.
//!
//! tokio's `RwLock` is write-preferring: a lookup started while the
//! reloader is queued waits behind it, and the reloader waits for the
//! reads the handler's other lookups hold. Those lookups finish their
//! queries on their own (timers) and let their reads go, so the writer
//! and then the queued lookup always get through: a handler never waits
//! on itself.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `config`.

use examples::{park, ready_when, waited_on};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Config {
    replica: String,
    version: u64,
}

struct AppState {
    config: RwLock<Config>,
    cache: Mutex<HashMap<u64, String>>,
}

/// A simulated database query: 100-400 ms.
async fn query(replica: &str, id: u64) -> String {
    tokio::time::sleep(Duration::from_millis(100 + (id * 89) % 300)).await;
    format!("{replica}/{id}")
}

async fn lookup(state: &AppState, id: u64) -> String {
    let config = state.config.read().await;
    let row = query(&config.replica, id).await;
    format!("{row}@v{}", config.version)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_batch_lookup_config_read_plain");
    let state = Arc::new(AppState {
        config: RwLock::new(Config {
            replica: "replica-1".into(),
            version: 0,
        })
        .named("config"),
        cache: Mutex::new(HashMap::new()).named("cache"),
    });
    let batches = Arc::new(AtomicU64::new(0));
    for handler in 0..3u64 {
        let state = state.clone();
        let batches = batches.clone();
        tokio::spawn(async move {
            let state = &state;
            for n in 0u64.. {
                let first = handler * 1_000_000 + n * 10;
                let rows: Vec<String> = stream::iter(first..first + 10)
                    .map(|id| lookup(state, id))
                    .buffer_unordered(4)
                    .collect()
                    .await;
                let mut cache = state.cache.lock().await;
                for (id, row) in (first..).zip(rows) {
                    cache.insert(id % 1000, row);
                }
                drop(cache);
                batches.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let mut config = state.config.write().await;
                config.version += 1;
                config.replica = format!("replica-{}", config.version % 3);
            }
        });
    }
    ready_when(move |g| {
        batches.load(Ordering::Relaxed) >= 3 && waited_on(g, NodeKind::Rwlock, "config")
    });
    park().await
}
