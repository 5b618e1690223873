//! Healthy: the fix of `db_permit_then_cache_vs_cache_then_permit_plain`.
//! The cache refresher (plain `tokio::spawn`) now takes the connection
//! first: it acquires `db-conns` (a peeps `Semaphore` of 1), then locks
//! `cache` (a peeps `Mutex`) to find and reload the stale entries, the
//! request task's order. Two request tasks (plain) take a connection, run
//! their query (5 ms) and store the row under `cache`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waiters};
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
    peeps::install_sigusr1("soak_db_permit_then_cache_both_tasks_plain");
    let db = Arc::new(Semaphore::new(1).named("db-conns"));
    let cache = Arc::new(Mutex::new(HashMap::<u32, (String, u32)>::new()).named("cache"));

    for worker in 0..2u32 {
        let (req_db, req_cache) = (db.clone(), cache.clone());
        tokio::spawn(async move {
            for id in 0u32.. {
                let key = (id + worker * 7) % 16;
                let conn = req_db.acquire().await.expect("pool closed");
                let row = query(key).await;
                req_cache.lock().await.insert(key, (row, 0));
                drop(conn);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(7)).await;
            let _conn = db.acquire().await.expect("pool closed");
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
                let row = query(id).await;
                entries.insert(id, (row, 0));
            }
        }
    });

    // `cache` is only ever taken under the connection: nobody waits for it.
    ready_when(|snap| waiters(snap, NodeKind::Semaphore, "db-conns") >= 2);
    park().await
}
