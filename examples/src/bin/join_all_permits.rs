//! Deadlock: queries run by `futures::future::join_all` inside one task,
//! each holding a pooled connection (a permit) and asking for a second.
//!
//! `loader` runs its queries concurrently with `join_all`. Each `query`
//! takes a permit of `db-pool` (2 permits), meets the others at a barrier (so
//! that each holds one), then asks for a second permit for a sub-query. The
//! pool is empty and every permit is held by a query of the same task: the
//! task deadlocks with itself.
//!
//! `join_all` of at most 30 futures polls every one of them with the task's
//! own waker each time it is polled: each query's wait holds a clone of the
//! task's waker, accounted as any wait of the task is, and nothing else can
//! wake the task.
//!
//! Expected: one `certain` deadlock of the single task `loader` on semaphore
//! `db-pool`, a query waiting for a permit held by its own task.

use examples::{park, ready_when, waiters};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Semaphore};
use std::sync::Arc;

/// How many connections the pool allows, and how many queries there are.
const N: usize = 2;

#[peeps::instrument]
async fn query(id: usize, pool: Arc<Semaphore>, connected: Arc<Barrier>) -> usize {
    let _conn = pool.acquire().await.expect("the pool is never closed");
    connected.wait().await;
    let _sub = pool.acquire().await.expect("the pool is never closed");
    id
}

#[peeps::instrument]
async fn load_all(pool: Arc<Semaphore>) {
    let connected = Arc::new(Barrier::new(N).named("connected"));
    let done = join_all((0..N).map(|id| query(id, pool.clone(), connected.clone()))).await;
    println!("queries {done:?} done");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_all_permits");
    let pool = Arc::new(Semaphore::new(N).named("db-pool"));
    peeps::spawn_named("loader", load_all(pool));

    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == N);
    park().await
}
