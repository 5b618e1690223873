//! Healthy, under steady load: a connection pool in the style of bb8 /
//! deadpool with direct hand-off. `pool-slots` (a `Semaphore` of 2)
//! bounds the connections; each connection carries its owned permit.
//! A checkout takes an idle connection, or dials a new one if a permit is
//! free (`try_acquire_owned`), or else queues a `oneshot` named `handoff`
//! in the pool's waiter list (a `std::sync::Mutex<VecDeque>`) and waits
//! for it under a 300 ms timeout (on a timeout it counts and retries). A
//! check-in hands the connection straight to the first waiter still
//! listening (`send` fails when the waiter timed out: the connection
//! comes back and goes to the next one) or makes it idle. Five workers
//! (three `peeps::spawn_named`, two plain `tokio::spawn`) run 100-400 ms
//! queries. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Conn {
    id: u64,
    _slot: OwnedSemaphorePermit,
}

#[derive(Default)]
struct Inner {
    idle: Vec<Conn>,
    waiters: VecDeque<oneshot::Sender<Conn>>,
}

enum Checkout {
    Dial(OwnedSemaphorePermit),
    Wait(oneshot::Receiver<Conn>),
}

struct Pool {
    slots: Arc<Semaphore>,
    inner: std::sync::Mutex<Inner>,
    dialed: AtomicU64,
}

impl Pool {
    async fn get(&self, timeouts: &AtomicU64) -> Conn {
        loop {
            let next = {
                let mut inner = self.inner.lock().expect("not poisoned");
                if let Some(conn) = inner.idle.pop() {
                    return conn;
                }
                match self.slots.clone().try_acquire_owned() {
                    Ok(slot) => Checkout::Dial(slot),
                    Err(_) => {
                        let (tx, rx) = oneshot::channel_named("handoff");
                        inner.waiters.push_back(tx);
                        Checkout::Wait(rx)
                    }
                }
            };
            let rx = match next {
                Checkout::Dial(slot) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    return Conn {
                        id: self.dialed.fetch_add(1, Ordering::Relaxed),
                        _slot: slot,
                    };
                }
                Checkout::Wait(rx) => rx,
            };
            match tokio::time::timeout(Duration::from_millis(300), rx).await {
                Ok(Ok(conn)) => return conn,
                Ok(Err(_)) | Err(_) => {
                    timeouts.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    fn put(&self, mut conn: Conn) {
        let mut inner = self.inner.lock().expect("not poisoned");
        while let Some(waiter) = inner.waiters.pop_front() {
            match waiter.send(conn) {
                Ok(()) => return,
                Err(back) => conn = back,
            }
        }
        inner.idle.push(conn);
    }
}

async fn work(who: u64, pool: Arc<Pool>, done: Arc<AtomicU64>, timeouts: Arc<AtomicU64>) {
    for n in 0u64.. {
        let conn = pool.get(&timeouts).await;
        tokio::time::sleep(Duration::from_millis(100 + (n * 61 + who * 89) % 300)).await;
        std::hint::black_box(conn.id);
        pool.put(conn);
        done.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pool_handoff_waiters_timeout");
    let pool = Arc::new(Pool {
        slots: Arc::new(Semaphore::new(2).named("pool-slots")),
        inner: std::sync::Mutex::new(Inner::default()),
        dialed: AtomicU64::new(0),
    });
    let done = Arc::new(AtomicU64::new(0));
    let timeouts = Arc::new(AtomicU64::new(0));
    for who in 1..=3 {
        peeps::spawn_named(
            format!("worker-{who}"),
            work(who, pool.clone(), done.clone(), timeouts.clone()),
        );
    }
    for who in 4..=5 {
        tokio::spawn(work(who, pool.clone(), done.clone(), timeouts.clone()));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 8
            && timeouts.load(Ordering::Relaxed) >= 1
            && waited_on_for(g, NodeKind::Channel, "handoff", "recv")
    });
    examples::park().await
}
