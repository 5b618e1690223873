//! Healthy, under steady load: a connection pool whose guard checks the
//! connection back in from `Drop` by spawning a task. `Pool::get` takes an
//! owned permit of `pool-slots` (a `Semaphore` of 3) with
//! `acquire_owned`, then pops an idle connection under `pool-idle`. The
//! `PooledConn` guard owns the connection and the permit; its `Drop`
//! cannot `.await`, so it `tokio::spawn`s a check-in task that moves both
//! in, pushes the connection back under `pool-idle` and only then drops
//! the permit. A plain health checker locks `pool-idle` every 200 ms and
//! pings each idle connection (10 ms each) under it. Six plain workers
//! run queries (20-90 ms) on pooled connections.
//!
//! Workers wait on `pool-slots`, whose permits are held by workers on
//! timers or by check-in tasks waiting on `pool-idle`, held by the health
//! checker on a timer.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Conn {
    id: u64,
    queries: u64,
}

struct Pool {
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<Conn>>,
    next_id: AtomicU64,
}

struct PooledConn {
    conn: Option<Conn>,
    permit: Option<OwnedSemaphorePermit>,
    pool: Arc<Pool>,
}

impl Drop for PooledConn {
    fn drop(&mut self) {
        let (Some(conn), Some(permit)) = (self.conn.take(), self.permit.take()) else {
            return;
        };
        let pool = self.pool.clone();
        tokio::spawn(async move {
            pool.idle.lock().await.push(conn);
            drop(permit);
        });
    }
}

impl PooledConn {
    async fn query(&mut self, n: u64) -> u64 {
        let conn = self.conn.as_mut().expect("checked out");
        tokio::time::sleep(Duration::from_millis(20 + (n * 29 + conn.id * 7) % 71)).await;
        conn.queries += 1;
        conn.queries
    }
}

async fn get(pool: &Arc<Pool>) -> PooledConn {
    let permit = pool
        .slots
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    let conn = pool.idle.lock().await.pop().unwrap_or_else(|| Conn {
        id: pool.next_id.fetch_add(1, Ordering::Relaxed),
        queries: 0,
    });
    PooledConn {
        conn: Some(conn),
        permit: Some(permit),
        pool: pool.clone(),
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pool_guard_drop_spawns_checkin_owned_permit_plain");
    let pool = Arc::new(Pool {
        slots: Arc::new(Semaphore::new(3).named("pool-slots")),
        idle: Mutex::new(Vec::new()).named("pool-idle"),
        next_id: AtomicU64::new(0),
    });
    let served = Arc::new(AtomicU64::new(0));
    for w in 0..6u64 {
        let pool = pool.clone();
        let served = served.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut conn = get(&pool).await;
                conn.query(n + w).await;
                drop(conn);
                served.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(200));
            loop {
                every.tick().await;
                let idle = pool.idle.lock().await;
                for conn in idle.iter() {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    std::hint::black_box(conn.queries);
                }
            }
        });
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Semaphore, "pool-slots")
    });
    park().await
}
