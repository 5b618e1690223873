//! Healthy, under steady load: a hand-written connection pool, a
//! `Semaphore` of 3 (`pool-slots`) and a `Mutex<Vec<Conn>>` of idle
//! connections (`pool-idle`), and a `PooledConn` guard that puts its
//! connection back on drop (`try_lock`, else through a return channel).
//! Plain `tokio::spawn` of `async move` blocks, no peeps annotation.
//!
//! - five workers check a connection out (permit, then `pool-idle` for a
//!   moment to pop one), run a query (40-160 ms), and record the result
//!   under `metrics` after the connection is back;
//! - a health checker, every 250 ms, takes a permit, locks `pool-idle`
//!   and pings each idle connection (5 ms each) while holding it;
//! - a returner task receives the connections a drop could not put back
//!   and pushes them under `pool-idle`.
//!
//! Each path takes `pool-slots` before `pool-idle`, and `metrics` alone.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `pool-slots` and `pool-idle`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, SemaphorePermit, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Conn {
    id: u64,
    queries: u64,
}

struct Pool {
    slots: Semaphore,
    idle: Mutex<Vec<Conn>>,
    returns: mpsc::UnboundedSender<Conn>,
}

struct PooledConn<'a> {
    conn: Option<Conn>,
    pool: &'a Pool,
    _slot: SemaphorePermit<'a>,
}

impl Drop for PooledConn<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            match self.pool.idle.try_lock() {
                Ok(mut idle) => idle.push(conn),
                Err(_) => {
                    let _ = self.pool.returns.send(conn);
                }
            }
        }
    }
}

impl Pool {
    async fn get(&self) -> PooledConn<'_> {
        let slot = self.slots.acquire().await.expect("never closed");
        let conn = self.idle.lock().await.pop();
        let conn = conn.unwrap_or(Conn { id: 99, queries: 0 });
        PooledConn {
            conn: Some(conn),
            pool: self,
            _slot: slot,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_conn_pool_semaphore_vec_plain");
    let (returns, mut returned) = mpsc::unbounded_channel();
    let returns = returns.named("pool-returns");
    let pool = Arc::new(Pool {
        slots: Semaphore::new(3).named("pool-slots"),
        idle: Mutex::new((0..3).map(|id| Conn { id, queries: 0 }).collect()).named("pool-idle"),
        returns,
    });
    let metrics = Arc::new(Mutex::new(Vec::<u64>::new()).named("metrics"));
    let served = Arc::new(AtomicU64::new(0));
    for w in 0..5u64 {
        let pool = pool.clone();
        let metrics = metrics.clone();
        let served = served.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let took = {
                    let mut conn = pool.get().await;
                    tokio::time::sleep(Duration::from_millis(40 + (n * 37 + w * 11) % 120)).await;
                    let c = conn.conn.as_mut().expect("a connection");
                    c.queries += 1;
                    c.id
                };
                metrics.lock().await.push(took);
                served.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let _slot = pool.slots.acquire().await.expect("never closed");
                let idle = pool.idle.lock().await;
                for conn in idle.iter() {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    std::hint::black_box(conn.queries);
                }
            }
        });
    }
    {
        let pool = pool.clone();
        tokio::spawn(async move {
            while let Some(conn) = returned.recv().await {
                pool.idle.lock().await.push(conn);
            }
        });
    }
    {
        let metrics = metrics.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                metrics.lock().await.clear();
            }
        });
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Semaphore, "pool-slots")
    });
    park().await
}
