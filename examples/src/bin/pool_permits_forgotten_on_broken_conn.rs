//! HANG (a permit leak, as razz-team/eva PR #247 "Fix semaphore leak when
//! acquiring a jdbc connection" and ephpm PR #221's permit-accounting
//! wedge): a connection pool bounds checkouts with a peeps `Semaphore`
//! ("db-pool", 2 permits). When a checked-out connection turns out broken,
//! `checkout` discards it and calls `permit.forget()` meaning to open a
//! replacement later, which never happens. After two broken connections
//! the pool has no permits and nobody holds one: the three `query-N`
//! tasks wait forever for a permit, and `main` awaits them.
//!
//! Expected: nothing can run again: the queries stuck forever (nobody
//! holds a permit and nothing that runs can add one); `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

struct Pool {
    permits: Semaphore,
    idle: Mutex<Vec<u32>>,
    opened: AtomicU32,
}

impl Pool {
    async fn checkout(&self) -> Result<u32, &'static str> {
        let permit = self.permits.acquire().await.unwrap();
        let conn = match self.idle.lock().await.pop() {
            Some(c) => c,
            None => self.opened.fetch_add(1, Ordering::Relaxed),
        };
        tokio::time::sleep(Duration::from_millis(5)).await; // health check
        if conn < 2 {
            // Broken: drop it and "replace it later".
            permit.forget();
            return Err("broken connection");
        }
        drop(permit);
        Ok(conn)
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_permits_forgotten_on_broken_conn");
    let pool = Arc::new(Pool {
        permits: Semaphore::new(2).named("db-pool"),
        idle: Mutex::new(Vec::new()).named("idle-conns"),
        opened: AtomicU32::new(0),
    });
    let mut queries = Vec::new();
    for q in 0..5 {
        let pool = pool.clone();
        queries.push(peeps::spawn_named(format!("query-{q}"), async move {
            loop {
                match pool.checkout().await {
                    Ok(c) => return c,
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        }));
    }
    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 5);
    for q in queries {
        println!("{}", q.await.unwrap());
    }
}
