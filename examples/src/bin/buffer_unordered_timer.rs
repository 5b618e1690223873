//! Healthy control: queries run by `buffer_unordered` inside one task, two
//! of them holding a pooled connection (a permit) while they wait on a
//! timer, and a third waiting for a connection.
//!
//! `loader` runs three `query`s concurrently with `buffer_unordered(3)` over
//! `db-pool` (2 permits). Two get a connection and sleep for an hour (the
//! query's round trip); the third waits for one of them to finish. The
//! waiting query is released by its own task, but that task also waits on
//! the timers, which peeps cannot see: the sleeping queries hold waker
//! clones no instrumented wait accounts for, so the task may still wake.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use futures::stream::{self, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

/// How many connections the pool allows; one more query than that runs.
const N: usize = 2;

#[peeps::instrument]
async fn query(id: usize, pool: Arc<Semaphore>) -> usize {
    let _conn = pool.acquire().await.expect("the pool is never closed");
    tokio::time::sleep(Duration::from_secs(3600)).await;
    id
}

#[peeps::instrument]
async fn load_all(pool: Arc<Semaphore>) {
    let done: Vec<usize> = stream::iter(0..=N)
        .map(|id| query(id, pool.clone()))
        .buffer_unordered(N + 1)
        .collect()
        .await;
    println!("queries {done:?} done");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("buffer_unordered_timer");
    let pool = Arc::new(Semaphore::new(N).named("db-pool"));
    peeps::spawn_named("loader", load_all(pool));

    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 1);
    park().await
}
