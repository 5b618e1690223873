//! Deadlock: a connection permit and a cache's `RwLock` taken in opposite
//! orders by two tasks of a tokio `JoinSet` (one spawned as an `async
//! move` block calling an instrumented function).
//!
//! `refresh` takes the only `db-pool` permit (a pooled connection), then
//! reads `cache`; `invalidate` takes `cache`'s write guard, then asks for
//! a connection. Two tokio `Notify`s (outside the graph) make them meet:
//! each holds its first resource when it asks for the second.
//!
//! Expected: one `probable` deadlock of the two tasks (named after their
//! tokio ids) over semaphore `db-pool` and rwlock `cache`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio::task::JoinSet;

type Cache = Arc<RwLock<HashMap<String, String>>>;

/// Makes the two tasks meet halfway (outside the graph).
#[derive(Default)]
struct Meet {
    /// `refresh` holds its connection.
    connected: Notify,
    /// `invalidate` holds the write guard.
    writing: Notify,
}

#[peeps::instrument]
async fn refresh(pool: Arc<Semaphore>, cache: Cache, meet: Arc<Meet>) {
    let Ok(_conn) = pool.acquire().await else {
        return;
    };
    meet.connected.notify_one();
    meet.writing.notified().await;
    let cached = cache.read().await.len();
    println!("refreshing {cached} entries");
}

#[peeps::instrument]
async fn invalidate(pool: Arc<Semaphore>, cache: Cache, meet: Arc<Meet>) {
    meet.connected.notified().await;
    let mut cache = cache.write().await;
    meet.writing.notify_one();
    cache.clear();
    let Ok(_conn) = pool.acquire().await else {
        return;
    };
    cache.insert("version".to_owned(), "2".to_owned());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_pool_inversion_tokio_spawn");
    let pool = Arc::new(Semaphore::new(1).named("db-pool"));
    let cache: Cache = Arc::new(RwLock::new(HashMap::new()).named("cache"));
    let meet = Arc::new(Meet::default());
    let mut tasks = JoinSet::new();
    tasks.spawn(invalidate(pool.clone(), cache.clone(), meet.clone()));
    tasks.spawn(async move { refresh(pool, cache, meet).await });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Semaphore, "db-pool", "acquire")
            && waited_on_for(g, NodeKind::Rwlock, "cache", "read")
    });
    while tasks.join_next().await.is_some() {}
    park().await
}
