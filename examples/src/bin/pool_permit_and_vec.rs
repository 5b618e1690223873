//! Healthy control: a connection pool built from an owned semaphore permit
//! per checkout and a `Mutex<Vec<Conn>>` of idle connections, a checked-out
//! connection returned to the vector when its guard drops.
//!
//! `pool` has 2 connections. Four `query` tasks check one out each
//! (`acquire_owned`, then pop under `idle`'s lock, the lock released at
//! once) and run an hour-long query; the other two wait for a permit.
//! `PooledConn::drop` pushes the connection back with `try_lock` on the
//! rare contention falling back to a spawned return.
//!
//! Expected: no deadlock (the queries' timers).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;
use std::time::Duration;

/// A database connection.
struct Conn {
    id: usize,
}

/// The pool: a permit per connection, and the idle ones.
struct Pool {
    slots: Arc<Semaphore>,
    idle: Arc<Mutex<Vec<Conn>>>,
}

/// A checked-out connection; returned to the pool on drop.
struct PooledConn {
    conn: Option<Conn>,
    idle: Arc<Mutex<Vec<Conn>>>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    fn new(size: usize) -> Pool {
        Pool {
            slots: Arc::new(Semaphore::new(size).named("pool-slots")),
            idle: Arc::new(Mutex::new((0..size).map(|id| Conn { id }).collect()).named("idle")),
        }
    }

    async fn get(&self) -> PooledConn {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        let conn = self
            .idle
            .lock()
            .await
            .pop()
            .expect("a permit means an idle conn");
        PooledConn {
            conn: Some(conn),
            idle: self.idle.clone(),
            _permit: permit,
        }
    }
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        match self.idle.try_lock() {
            Ok(mut idle) => idle.push(conn),
            Err(_) => {
                let idle = self.idle.clone();
                tokio::spawn(async move { idle.lock().await.push(conn) });
            }
        }
    }
}

#[peeps::instrument]
async fn query(n: usize, pool: Arc<Pool>) {
    let conn = pool.get().await;
    // A slow query.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!(
        "query {n} ran on conn {}",
        conn.conn.as_ref().map_or(0, |c| c.id)
    );
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_permit_and_vec");
    let pool = Arc::new(Pool::new(2));
    for n in 1..=4 {
        peeps::spawn_named(format!("query-{n}"), query(n, pool.clone()));
    }
    ready_when(|g| waiters(g, NodeKind::Semaphore, "pool-slots") == 2);
    park().await
}
