//! Deadlock: a task holds a read lock and then asks for the write lock of
//! the same RwLock.
//!
//! `resolver` read-locks `cache` to look a key up, and on a miss fills it
//! in through a helper that write-locks `cache` while the read guard is
//! still alive. The write waits for every reader, the task's own read
//! guard included.
//!
//! Expected: one `certain` deadlock of the single task `resolver` on
//! rwlock `cache`, read-locked by itself.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

type Cache = Arc<RwLock<HashMap<String, String>>>;

#[peeps::instrument]
async fn resolve(cache: Cache, host: &str) -> String {
    let entries = cache.read().await;
    match entries.get(host) {
        Some(addr) => addr.clone(),
        None => fill(&cache, host).await,
    }
}

#[peeps::instrument]
async fn fill(cache: &Cache, host: &str) -> String {
    let addr = format!("10.0.0.{}", host.len());
    cache.write().await.insert(host.to_owned(), addr.clone());
    addr
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_read_then_write");
    let cache: Cache = Arc::new(RwLock::new(HashMap::new()).named("cache"));
    peeps::spawn_named("resolver", async move {
        resolve(cache, "db.internal").await;
    });

    ready_when(|g| waited_on(g, NodeKind::Rwlock, "cache"));
    park().await
}
