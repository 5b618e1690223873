//! Deadlock: every permit of a connection pool held by a task that asks
//! for a second one inside a helper fn. No peeps annotation at all: plain
//! `tokio::spawn` of `async move` blocks calling a plain async fn.
//!
//! Three requests each take a connection (a permit of `db-pool`, 3
//! permits) for their transaction, then call `audit`, which takes a
//! connection of its own from the same pool. A barrier only makes all
//! three take their first connection before any asks for a second.
//!
//! Expected: one `certain` deadlock (plain tokio tasks) of the three
//! tasks over semaphore `db-pool`, each waiting for a permit the others
//! hold.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Semaphore};
use std::sync::Arc;

async fn audit(pool: &Semaphore, request: u64) {
    let _conn = pool.acquire().await.expect("db-pool is never closed");
    println!("audit {request}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("semaphore_second_permit_helper_plain");
    let pool = Arc::new(Semaphore::new(3).named("db-pool"));
    let all_connected = Arc::new(Barrier::new(3).named("all-connected"));
    for request in 0..3 {
        let pool = pool.clone();
        let all_connected = all_connected.clone();
        tokio::spawn(async move {
            let _conn = pool.acquire().await.expect("db-pool is never closed");
            all_connected.wait().await;
            audit(&pool, request).await;
        });
    }

    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 3);
    park().await
}
