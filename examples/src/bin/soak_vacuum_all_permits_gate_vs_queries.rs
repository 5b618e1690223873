//! Healthy, under steady load: a database's connection slots double as a
//! maintenance gate. `db-slots` is a semaphore of 4. Queries (three plain
//! `tokio::spawn` tasks, no peeps annotation) take one slot, then
//! `schema` (to resolve the table, kept while planning, 10 ms) and then
//! `stats` (to record the plan): `schema` then `stats`. Every 300 ms a
//! vacuum takes all 4 slots with `acquire_many(4)`, which waits until no
//! query runs and shuts new ones out, then `stats` (to find dead rows, 40
//! ms) and then `schema` (to swap the table): `stats` then `schema`.
//!
//! The orders are opposite, but a query runs only holding a slot and the
//! vacuum only holding every slot: the two never run at the same time.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `db-slots`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Db {
    slots: Semaphore,
    schema: Mutex<HashMap<String, u64>>,
    stats: Mutex<HashMap<u64, u64>>,
    queries: AtomicU64,
    vacuums: AtomicU64,
}

async fn query(db: &Db, table: &str) {
    let _slot = db.slots.acquire().await.expect("never closed");
    let schema = db.schema.lock().await;
    let id = schema.get(table).copied().unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(10)).await;
    *db.stats.lock().await.entry(id).or_default() += 1;
    drop(schema);
    // run the query
    tokio::time::sleep(Duration::from_millis(30)).await;
    db.queries.fetch_add(1, Ordering::Relaxed);
}

async fn vacuum(db: &Db) {
    let _all = db.slots.acquire_many(4).await.expect("never closed");
    let mut stats = db.stats.lock().await;
    tokio::time::sleep(Duration::from_millis(40)).await;
    let mut schema = db.schema.lock().await;
    for id in schema.values_mut() {
        stats.remove(id);
        *id += 1;
    }
    drop(schema);
    drop(stats);
    db.vacuums.fetch_add(1, Ordering::Relaxed);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_vacuum_all_permits_gate_vs_queries");
    let db = Arc::new(Db {
        slots: Semaphore::new(4).named("db-slots"),
        schema: Mutex::new(
            [("users".to_owned(), 1), ("orders".to_owned(), 2)]
                .into_iter()
                .collect(),
        )
        .named("schema"),
        stats: Mutex::new(HashMap::new()).named("stats"),
        queries: AtomicU64::new(0),
        vacuums: AtomicU64::new(0),
    });
    for q in 0..3u64 {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let table = if (n + q) % 2 == 0 { "users" } else { "orders" };
                query(&db, table).await;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let db = db.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                vacuum(&db).await;
            }
        });
    }
    ready_when(move |g| {
        db.vacuums.load(Ordering::Relaxed) >= 2
            && db.queries.load(Ordering::Relaxed) >= 20
            && waited_on(g, NodeKind::Semaphore, "db-slots")
    });
    park().await
}
