//! Deadlock (rustdesk#622, https://github.com/rustdesk/rustdesk/pull/622:
//! "Thread handle join hold the write lock. While `sp.active()` hold the
//! read lock", here in async form): a stop routine write-locks the
//! service state to clear `active`, then joins the service's workers
//! with the write guard still alive, while each worker reads that state
//! to learn it should stop.
//!
//! `#[tokio::main]`: two plain workers in a tokio `JoinSet` report on
//! `started` (an mpsc), then loop: read `service` (a `peeps::sync::RwLock`),
//! stop once `active` is false, else work 20 ms. `main` reads both start
//! reports, lets them work, then stops the service: `service.write()`,
//! `active = false`, and `join_next()` until the set is empty, the guard
//! alive until the end of the block.
//!
//! Expected: one certain deadlock of `thread main` (awaiting the workers
//! through `JoinSet::join_next`, holding `service` for write) and the
//! workers (waiting to read `service`).

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

struct Service {
    active: bool,
    requests: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("service_stop_joins_under_write_guard_joinset_main");
    let service = Arc::new(
        RwLock::new(Service {
            active: true,
            requests: 0,
        })
        .named("service"),
    );
    let (started_tx, mut started) = mpsc::channel_named::<usize>("started", 4);
    let mut workers = JoinSet::new();
    for id in 0..2 {
        let service = service.clone();
        let started_tx = started_tx.clone();
        workers.spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = started_tx.send(id).await;
            let mut served = 0u64;
            loop {
                if !service.read().await.active {
                    return served;
                }
                served += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }
    for _ in 0..2 {
        let id = started.recv().await.expect("the workers are alive");
        println!("worker {id} started");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    ready_when(|g| waiters(g, NodeKind::Rwlock, "service") == 2);
    {
        let mut state = service.write().await;
        state.active = false;
        while let Some(served) = workers.join_next().await {
            state.requests += served.expect("the worker does not panic");
        }
        println!("stopped after {} requests", state.requests);
    }
}
