//! Deadlock: an async connection pool whose connections keep owned permits,
//! and queries that each hold a connection while asking for a second.
//!
//! `Pool` bounds its connections with an `Arc<Semaphore>` (`db-pool`, 3
//! permits): `get` takes an owned permit (`acquire_owned`) and returns a
//! `Connection` that keeps it until dropped. Three query tasks each get a
//! connection, meet at a barrier (so that each holds one), and then ask
//! the pool for a second one for a sub-query: the pool is empty, and every
//! permit is held by a task that waits for another.
//!
//! Each owned permit was acquired by the query task that holds it
//! (evidence `made`), and lives inside the `Connection` in that task's own
//! state across the `.await`: peeps finds it there, which proves the
//! holder.
//!
//! Expected: one `certain` deadlock of `query-1`, `query-2` and `query-3`
//! on semaphore `db-pool`, each waiting to acquire a permit held by
//! another (or itself).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;

/// How many connections the pool allows, and how many queries there are.
const N: usize = 3;

/// A pool of at most [`N`] connections.
#[derive(Debug, Clone)]
struct Pool {
    slots: Arc<Semaphore>,
}

/// A connection of the pool: its slot is free again once it drops.
#[derive(Debug)]
struct Connection {
    id: usize,
    _slot: OwnedSemaphorePermit,
}

impl Pool {
    fn new() -> Pool {
        Pool {
            slots: Arc::new(Semaphore::new(N).named("db-pool")),
        }
    }

    /// A connection, once a slot is free.
    async fn get(&self, id: usize) -> Connection {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the pool is never closed");
        Connection { id, _slot: slot }
    }
}

#[peeps::instrument]
async fn query(pool: Pool, n: usize, all_connected: Arc<Barrier>) -> usize {
    let conn = pool.get(n).await;
    all_connected.wait().await;
    // A sub-query on a second connection, the first still held.
    let sub = pool.get(n + N).await;
    conn.id + sub.id
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_owned_permits");
    let pool = Pool::new();
    let all_connected = Arc::new(Barrier::new(N).named("all-connected"));
    for n in 1..=N {
        peeps::spawn_named(
            format!("query-{n}"),
            query(pool.clone(), n, all_connected.clone()),
        );
    }
    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == N);
    park().await
}
