//! Healthy control: an `RwLock` cache filled the correct way: look under a
//! read guard, drop it on a miss, take the write guard, check again, load
//! and insert.
//!
//! Three `lookup` tasks ask `cache` for the same missing key. The first
//! to take the write guard loads the value slowly (an hour) while holding
//! it; the others, their read guards dropped before they asked to write,
//! wait for the write or a read.
//!
//! Expected: no deadlock (the loader's timer ends the write).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Cache = Arc<RwLock<HashMap<&'static str, String>>>;

#[peeps::instrument]
async fn load(key: &'static str) -> String {
    // A slow backend.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    format!("value of {key}")
}

#[peeps::instrument]
async fn lookup(cache: Cache, key: &'static str) -> String {
    if let Some(hit) = cache.read().await.get(key) {
        return hit.clone();
    }
    // The read guard is gone: ask for the write.
    let mut entries = cache.write().await;
    if let Some(hit) = entries.get(key) {
        return hit.clone();
    }
    let value = load(key).await;
    entries.insert(key, value.clone());
    value
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_read_then_upgrade");
    let cache: Cache = Arc::new(RwLock::new(HashMap::new()).named("cache"));
    for id in 1..=3 {
        let cache = cache.clone();
        peeps::spawn_named(format!("lookup-{id}"), async move {
            println!("{}", lookup(cache, "user:7").await);
        });
    }
    ready_when(|g| waiters(g, NodeKind::Rwlock, "cache") == 2);
    park().await
}
