//! Deadlock from a bug report: djc/bb8#154 ("Reentrant deadlock"). A
//! connection is returned to the pool under the pool's internals lock (a
//! parking_lot mutex), wrapped in a guard whose `Drop` puts the
//! connection back into the pool. When the waiter it is handed to has
//! gone (its request timed out, its oneshot receiver dropped), the guard
//! comes back from the failed send and is dropped there, still under the
//! internals lock: its `Drop` calls `put_back`, which locks the internals
//! again. The lock is not reentrant: the task blocks its worker thread
//! forever.
//!
//! The pool has one connection; `internals` is a
//! `peeps::sync::blocking::Mutex` named `pool-internals`, waiters are
//! `peeps::sync::oneshot` senders. `holder` (`peeps::spawn_named`) checks
//! the connection out and keeps it 300 ms; `impatient` asks for one under
//! a 50 ms `tokio::time::timeout` and gives up, leaving its waiter in the
//! queue; when `holder` returns the connection, `put_back` hands it to
//! that dead waiter.
//!
//! Expected: one `certain` deadlock of `holder` with itself on blocking
//! mutex `pool-internals` (held by `holder`), a blocking poll.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use peeps::sync::oneshot;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

struct Conn(u64);

#[derive(Default)]
struct Internals {
    idle: Vec<Conn>,
    waiters: VecDeque<oneshot::Sender<Pooled>>,
}

struct Pool {
    internals: Mutex<Internals>,
}

/// A checked-out connection; going out of scope puts it back.
struct Pooled {
    conn: Option<Conn>,
    pool: Arc<Pool>,
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn);
        }
    }
}

impl Pooled {
    fn id(&self) -> u64 {
        self.conn.as_ref().map_or(0, |c| c.0)
    }
}

impl Pool {
    fn new(size: u64) -> Arc<Pool> {
        let internals = Internals {
            idle: (0..size).map(Conn).collect(),
            waiters: VecDeque::new(),
        };
        Arc::new(Pool {
            internals: Mutex::new(internals).named("pool-internals"),
        })
    }

    async fn get(self: &Arc<Self>) -> Pooled {
        let rx = {
            let mut locked = self.internals.lock();
            if let Some(conn) = locked.idle.pop() {
                return Pooled {
                    conn: Some(conn),
                    pool: self.clone(),
                };
            }
            let (tx, rx) = oneshot::channel_named("checkout");
            locked.waiters.push_back(tx);
            rx
        };
        rx.await.expect("the pool never drops a waiter")
    }

    fn put_back(self: &Arc<Self>, conn: Conn) {
        let mut locked = self.internals.lock();
        let mut guard = Pooled {
            conn: Some(conn),
            pool: self.clone(),
        };
        while let Some(waiter) = locked.waiters.pop_front() {
            match waiter.send(guard) {
                Ok(()) => return,
                // The waiter is gone: `back` is dropped here, under `locked`.
                Err(back) => {
                    guard = Pooled {
                        conn: None,
                        pool: self.clone(),
                    };
                    drop(back);
                }
            }
        }
        if let Some(conn) = guard.conn.take() {
            locked.idle.push(conn);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_put_back_relocks_in_guard_drop");
    let pool = Pool::new(1);
    {
        let pool = pool.clone();
        peeps::spawn_named("holder", async move {
            let conn = pool.get().await;
            println!("holding connection {}", conn.id());
            tokio::time::sleep(Duration::from_millis(300)).await;
            drop(conn);
            println!("returned");
        });
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    {
        let pool = pool.clone();
        peeps::spawn_named("impatient", async move {
            match tokio::time::timeout(Duration::from_millis(50), pool.get()).await {
                Ok(conn) => println!("got connection {}", conn.id()),
                Err(_) => println!("timed out"),
            }
        });
    }
    ready_when(|g| waited_on(g, NodeKind::Mutex, "pool-internals"));
    park().await
}
