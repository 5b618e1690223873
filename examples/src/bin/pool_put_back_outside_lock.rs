//! Healthy twin of `pool_put_back_relocks_in_guard_drop` (the fix
//! direction of djc/bb8#154, #186): a guard that comes back from a dead
//! waiter gives its connection up before it is dropped, so nothing under
//! the internals lock re-enters the pool; the connection goes to the next
//! waiter or back to idle. Six clients, half under a 40 ms timeout that
//! often fires, check connections out of a pool of two and keep them
//! 20-60 ms, forever.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::Mutex;
use peeps::sync::oneshot;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
        let mut conn = conn;
        while let Some(waiter) = locked.waiters.pop_front() {
            let guard = Pooled {
                conn: Some(conn),
                pool: self.clone(),
            };
            match waiter.send(guard) {
                Ok(()) => return,
                // The waiter is gone: take the connection back out first.
                Err(mut back) => conn = back.conn.take().expect("just put in"),
            }
        }
        locked.idle.push(conn);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_put_back_outside_lock");
    let pool = Pool::new(2);
    let served = Arc::new(AtomicU64::new(0));
    for c in 0..6u64 {
        let pool = pool.clone();
        let served = served.clone();
        peeps::spawn_named(format!("client-{c}"), async move {
            for n in 0u64.. {
                let hold = Duration::from_millis(20 + (n * 13 + c * 7) % 40);
                if c.is_multiple_of(2) {
                    if let Ok(conn) =
                        tokio::time::timeout(Duration::from_millis(40), pool.get()).await
                    {
                        tokio::time::sleep(hold).await;
                        std::hint::black_box(conn.id());
                        drop(conn);
                    }
                } else {
                    let conn = pool.get().await;
                    tokio::time::sleep(hold).await;
                    drop(conn);
                }
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    let ready = served.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 40);
    park().await
}
