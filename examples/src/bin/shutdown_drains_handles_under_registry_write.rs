//! Deadlock: a supervisor drains its workers' `JoinHandle`s out of the
//! shared registry while holding the registry's write lock, and each
//! worker, on its way out, takes that write lock to deregister itself
//! (the shape of many "graceful shutdown hangs" reports: the handles live
//! in the same locked struct the workers clean up on exit).
//!
//! `registry` is an `Arc<RwLock<Registry>>` whose `workers` field is a
//! `BTreeMap<u32, JoinHandle<()>>`. The `supervisor` starts `worker-1` and
//! `worker-2` under the write lock, lets them tick, then takes
//! `registry.write().await`, sends the `watch` shutdown and, the write
//! guard still held, awaits each handle it drains from the map, `worker-1`
//! first. Each worker leaves its `select!`
//! loop on the shutdown and calls `registry.write().await.workers.remove(..)`.
//!
//! Expected: one `certain` deadlock of `supervisor` (joining `worker-1`)
//! and `worker-1` (waiting to write `registry`, write-held by the
//! supervisor); `worker-2`, waiting to write `registry`, behind it.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, watch};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Registry {
    workers: BTreeMap<u32, peeps::JoinHandle<()>>,
    ticks: u64,
}

type Shared = Arc<RwLock<Registry>>;

#[peeps::instrument]
async fn worker(id: u32, registry: Shared, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = ticker.tick() => registry.write().await.ticks += 1,
        }
    }
    // Deregister on the way out.
    registry.write().await.workers.remove(&id);
}

#[peeps::instrument]
async fn supervise(registry: Shared) {
    let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
    {
        let mut reg = registry.write().await;
        for id in 1..=2 {
            let handle = peeps::spawn_named(
                format!("worker-{id}"),
                worker(id, registry.clone(), shutdown_rx.clone()),
            );
            reg.workers.insert(id, handle);
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut reg = registry.write().await;
    let _ = shutdown_tx.send(true);
    let workers = std::mem::take(&mut reg.workers);
    for (id, handle) in workers {
        let _ = handle.await;
        println!("worker {id} stopped");
    }
    println!("all stopped after {} ticks", reg.ticks);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_drains_handles_under_registry_write");
    let registry: Shared = Arc::new(RwLock::new(Registry::default()).named("registry"));
    peeps::spawn_named("supervisor", supervise(registry));
    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "registry") == 2 && waiters(g, NodeKind::Task, "worker-1") == 1
    });
    park().await
}
