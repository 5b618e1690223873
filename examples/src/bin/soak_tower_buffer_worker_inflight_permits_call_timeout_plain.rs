//! Healthy, under steady load: a hand-rolled tower-style `Buffer` in front
//! of a slow service. Callers clone a `Buffer` handle (a bounded `mpsc`
//! `buffer` of 4 carrying each request with its `reply` oneshot sender)
//! and await the reply. One plain buffer worker receives a request, takes
//! an owned permit of `in-flight` (a `Semaphore` of 3, the service's
//! concurrency limit) and spawns the call as a plain task that owns the
//! permit: the service call (15-240 ms, then a short lock of
//! `backend-stats`) runs under `tokio::time::timeout(150 ms)`, and the
//! outcome goes back on `reply`. Eight plain callers loop, each 10 ms
//! after its last reply.
//!
//! The worker waits on `in-flight` (held by calls on timers); callers
//! wait to send on a full `buffer` (received by the worker) and on
//! `reply` (its sender unread in `buffer`, or moved into a call).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug)]
enum CallError {
    Timeout,
    Closed,
}

struct Request {
    id: u64,
    reply: oneshot::Sender<Result<u64, CallError>>,
}

#[derive(Clone)]
struct Buffer {
    tx: mpsc::Sender<Request>,
}

impl Buffer {
    async fn call(&self, id: u64) -> Result<u64, CallError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request { id, reply })
            .await
            .map_err(|_| CallError::Closed)?;
        rx.await.map_err(|_| CallError::Closed)?
    }
}

struct Backend {
    stats: Mutex<(u64, u64)>,
}

impl Backend {
    async fn handle(&self, id: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(15 + (id * 37) % 226)).await;
        let mut stats = self.stats.lock().await;
        stats.0 += 1;
        id * 2
    }
}

async fn buffer_worker(
    mut rx: mpsc::Receiver<Request>,
    in_flight: Arc<Semaphore>,
    backend: Arc<Backend>,
) {
    while let Some(req) = rx.recv().await {
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            return;
        };
        let backend = backend.clone();
        tokio::spawn(async move {
            let out = tokio::time::timeout(Duration::from_millis(150), backend.handle(req.id))
                .await
                .map_err(|_| CallError::Timeout);
            if out.is_err() {
                backend.stats.lock().await.1 += 1;
            }
            let _ = req.reply.send(out);
            drop(permit);
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tower_buffer_worker_inflight_permits_call_timeout_plain");
    let (tx, rx) = mpsc::channel(4);
    let buffer = Buffer {
        tx: tx.named("buffer"),
    };
    let in_flight = Arc::new(Semaphore::new(3).named("in-flight"));
    let backend = Arc::new(Backend {
        stats: Mutex::new((0, 0)).named("backend-stats"),
    });
    tokio::spawn(buffer_worker(rx, in_flight, backend));
    let done = Arc::new(AtomicU64::new(0));
    for c in 0..8u64 {
        let buffer = buffer.clone();
        let done = done.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                match buffer.call(n * 8 + c).await {
                    Ok(_) | Err(CallError::Timeout) => {}
                    Err(CallError::Closed) => return,
                }
                done.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    drop(buffer);
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 30 && waited_on(g, NodeKind::Semaphore, "in-flight")
    });
    park().await
}
