//! Healthy control: a semaphore permit, then a tokio mutex, then briefly a
//! std-style blocking mutex, always in that order, across I/O-like
//! pauses; and `spawn_blocking` jobs that take the blocking mutex alone.
//! No peeps annotation: plain `tokio::spawn`, `spawn_blocking`,
//! `#[tokio::main]`.
//!
//! Twelve queries each take a permit of `db-pool` (3), run the query (a
//! timer), lock `cache` to store the row, bump `stats`
//! (`peeps::sync::blocking::Mutex`, never held across an `.await`) and go.
//! A `spawn_blocking` report job locks `stats` alone; a purge task locks
//! `cache` alone then `stats`. Then three slow queries hold every permit
//! for an hour and a fourth waits for one.
//!
//! Expected: no deadlock, no potential deadlock: the only orders are
//! `db-pool` before `cache` before `stats`.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex as BlockingMutex;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Db {
    pool: Semaphore,
    cache: Mutex<HashMap<u64, String>>,
    stats: BlockingMutex<u64>,
}

async fn query(db: &Db, id: u64, took: Duration) {
    let _conn = db.pool.acquire().await.expect("the pool is open");
    tokio::time::sleep(took).await;
    let mut cache = db.cache.lock().await;
    cache.insert(id, format!("row {id}"));
    *db.stats.lock() += 1;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permit_cache_stats_spawn_blocking_tokio_spawn");
    let db = Arc::new(Db {
        pool: Semaphore::new(3).named("db-pool"),
        cache: Mutex::new(HashMap::new()).named("cache"),
        stats: BlockingMutex::new(0).named("stats"),
    });
    let mut queries = Vec::new();
    for id in 0..12 {
        let db = db.clone();
        queries.push(tokio::spawn(async move {
            query(&db, id, Duration::from_millis(5)).await;
        }));
    }
    let for_report = db.clone();
    let report = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(10));
        let served = *for_report.stats.lock();
        println!("{served} served");
    });
    let for_purge = db.clone();
    let purge = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut cache = for_purge.cache.lock().await;
        cache.retain(|id, _| id % 2 == 0);
        *for_purge.stats.lock() += 1;
    });
    for q in queries {
        q.await.expect("a query");
    }
    report.await.expect("the report");
    purge.await.expect("the purge");

    for id in 100..103 {
        let db = db.clone();
        tokio::spawn(async move { query(&db, id, Duration::from_secs(3600)).await });
    }
    while db.pool.available_permits() > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move { query(&db, 200, Duration::from_millis(5)).await });
    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 1);
    park().await
}
