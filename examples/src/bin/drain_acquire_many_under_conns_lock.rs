//! HANG: graceful shutdown waits for in-flight requests by taking every
//! permit of the server's `in-flight` peeps `Semaphore` (8 permits) with
//! `acquire_many(8)`, the usual drain idiom. Each `handler` task holds an
//! owned permit while it runs and, when done, takes the `conns` mutex to
//! deregister itself before its permit drops. The `shutdown` task marks the
//! server closing under `conns` and, still holding that guard, drains.
//!
//! Expected: a deadlock: `shutdown` waits on `in-flight` (permits held by
//! the three handlers), the handlers wait on `conns` (held by
//! `shutdown`); `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const MAX_IN_FLIGHT: u32 = 8;

struct Conns {
    open: BTreeSet<u64>,
    closing: bool,
}

struct Server {
    in_flight: Arc<Semaphore>,
    conns: Mutex<Conns>,
}

impl Server {
    async fn drain(&self) {
        let mut conns = self.conns.lock().await;
        conns.closing = true;
        let _all = self.in_flight.acquire_many(MAX_IN_FLIGHT).await.unwrap();
        println!("drained; {} left", conns.open.len());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("drain_acquire_many_under_conns_lock");
    let server = Arc::new(Server {
        in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize).named("in-flight")),
        conns: Mutex::new(Conns {
            open: BTreeSet::new(),
            closing: false,
        })
        .named("conns"),
    });
    for id in 0..3u64 {
        let permit = server.in_flight.clone().acquire_owned().await.unwrap();
        server.conns.lock().await.open.insert(id);
        let server = server.clone();
        peeps::spawn_named(format!("handler-{id}"), async move {
            tokio::time::sleep(Duration::from_millis(100)).await; // the request
            server.conns.lock().await.open.remove(&id);
            drop(permit);
        });
    }
    let s = server.clone();
    let shutdown = peeps::spawn_named("shutdown", async move { s.drain().await });
    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "conns") == 3
            && waiters(g, NodeKind::Semaphore, "in-flight") == 1
    });
    shutdown.await.unwrap();
}
