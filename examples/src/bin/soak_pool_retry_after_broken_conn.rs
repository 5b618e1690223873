//! Healthy, under steady load, written with peeps' own spawns: a
//! connection pool that retires broken connections in the background and
//! retries on a fresh one. At most two connections (`pool-slots`, a
//! `Semaphore` of 2): each connection carries its owned permit. Three
//! workers (`peeps::spawn_named("worker-N")`) each, in a loop, check a
//! connection out (an idle one from a shared idle list, or a new permit
//! and a dial), run a query on it (100-600 ms; a connection breaks on its
//! third query), and check it back in. On a broken connection the worker
//! hands it to a shared `retiring` list (`Arc<std::sync::Mutex<Vec<Conn>>>`)
//! and, in the same scope, dials a fresh one (`acquire_owned` of a new
//! permit) and retries. `closer` closes the retiring connections every
//! 400 ms (a short `QUIT` each), which frees their permits. Every task is
//! peeps': the census counts none unseen. Multi-thread runtime.
//!
//! A retired connection's permit is on the heap (the retiring list); the
//! bytes it was moved out of stay in its worker's state while that worker
//! waits for a fresh permit (the connection was borrowed for the query).
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; the waits on `pool-slots` are honest long waits.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Conn {
    id: u64,
    uses: u64,
    permit: OwnedSemaphorePermit,
}

struct Pool {
    slots: Arc<Semaphore>,
    idle: std::sync::Mutex<Vec<Conn>>,
    retiring: std::sync::Mutex<Vec<Conn>>,
    dialed: AtomicU64,
}

impl Pool {
    #[peeps::instrument]
    async fn dial_fresh(&self) -> Conn {
        let permit = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("never closed");
        tokio::time::sleep(Duration::from_millis(20)).await;
        Conn {
            id: self.dialed.fetch_add(1, Ordering::Relaxed),
            uses: 0,
            permit,
        }
    }

    #[peeps::instrument]
    async fn get(&self) -> Conn {
        let idle = self.idle.lock().expect("not poisoned").pop();
        match idle {
            Some(conn) => conn,
            None => self.dial_fresh().await,
        }
    }

    fn put(&self, conn: Conn) {
        self.idle.lock().expect("not poisoned").push(conn);
    }

    fn retire(&self, conn: Conn) {
        self.retiring.lock().expect("not poisoned").push(conn);
    }
}

/// A query: 100-600 ms; a connection breaks on its third.
#[peeps::instrument]
async fn query(conn: &mut Conn, n: u64) -> Result<u64, ()> {
    tokio::time::sleep(Duration::from_millis(100 + (n * 397) % 500)).await;
    conn.uses += 1;
    if conn.uses.is_multiple_of(3) {
        Err(())
    } else {
        Ok(conn.id)
    }
}

#[peeps::instrument]
async fn close_retired(pool: Arc<Pool>) {
    let mut tick = tokio::time::interval(Duration::from_millis(400));
    loop {
        tick.tick().await;
        let retired: Vec<Conn> = std::mem::take(&mut *pool.retiring.lock().expect("not poisoned"));
        for conn in retired {
            // A short QUIT, then the permit goes back.
            tokio::time::sleep(Duration::from_millis(5)).await;
            std::hint::black_box((conn.id, conn.permit.num_permits()));
        }
    }
}

#[peeps::instrument]
async fn work(
    pool: Arc<Pool>,
    next: Arc<AtomicU64>,
    done: Arc<AtomicU64>,
    retried: Arc<AtomicU64>,
) {
    loop {
        let n = next.fetch_add(1, Ordering::Relaxed);
        let mut conn = pool.get().await;
        match query(&mut conn, n).await {
            Ok(_) => pool.put(conn),
            Err(()) => {
                pool.retire(conn);
                let mut fresh = pool.dial_fresh().await;
                query(&mut fresh, n)
                    .await
                    .expect("a fresh connection works");
                pool.put(fresh);
                retried.fetch_add(1, Ordering::Relaxed);
            }
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pool_retry_after_broken_conn");
    let pool = Arc::new(Pool {
        slots: Arc::new(Semaphore::new(2).named("pool-slots")),
        idle: std::sync::Mutex::new(Vec::new()),
        retiring: std::sync::Mutex::new(Vec::new()),
        dialed: AtomicU64::new(0),
    });
    peeps::spawn_named("closer", close_retired(pool.clone()));
    let next = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicU64::new(0));
    let retried = Arc::new(AtomicU64::new(0));
    for name in ["worker-1", "worker-2", "worker-3"] {
        peeps::spawn_named(
            name,
            work(pool.clone(), next.clone(), done.clone(), retried.clone()),
        );
    }
    ready_when(move |g| {
        retried.load(Ordering::Relaxed) >= 2 && waited_on(g, NodeKind::Semaphore, "pool-slots")
    });
    examples::park().await
}
