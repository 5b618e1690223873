//! Deadlock: a one-connection database pool and a cache taken in opposite
//! orders by two plain `tokio::spawn` tasks. The request task takes a
//! connection (`db-conns`, a peeps `Semaphore` of 1), runs its query
//! (5 ms), then locks `cache` (a peeps `Mutex`) to store the row, still
//! holding the connection. The cache refresher locks `cache`, finds the
//! stale entries and, still holding it, takes a connection to reload each.
//! Within a few rounds the request task holds the connection and waits for
//! `cache`, while the refresher holds `cache` and waits for a connection.
//!
//! Expected: a certain deadlock of the two plain tasks on semaphore
//! `db-conns` and mutex `cache`: both wait only on peeps primitives (the
//! query's sleep is over), and nothing else holds a clone of their wakers.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

async fn query(id: u32) -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    format!("row-{id}")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("db_permit_then_cache_vs_cache_then_permit_plain");
    let db = Arc::new(Semaphore::new(1).named("db-conns"));
    let cache = Arc::new(Mutex::new(HashMap::<u32, (String, u32)>::new()).named("cache"));

    let (req_db, req_cache) = (db.clone(), cache.clone());
    tokio::spawn(async move {
        for id in 0u32.. {
            let conn = req_db.acquire().await.expect("pool closed");
            let row = query(id % 16).await;
            req_cache.lock().await.insert(id % 16, (row, 0));
            drop(conn);
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    });

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(7)).await;
            let mut entries = cache.lock().await;
            let stale: Vec<u32> = entries
                .iter()
                .filter(|(_, (_, age))| *age > 2)
                .map(|(id, _)| *id)
                .collect();
            for (_, (_, age)) in entries.iter_mut() {
                *age += 1;
            }
            for id in stale {
                let _conn = db.acquire().await.expect("pool closed");
                let row = query(id).await;
                entries.insert(id, (row, 0));
            }
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Semaphore, "db-conns", "acquire")
            && waited_on_for(snap, NodeKind::Mutex, "cache", "lock")
    });
    park().await
}
