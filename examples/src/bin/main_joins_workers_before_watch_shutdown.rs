//! Deadlock: graceful shutdown in the wrong order. `main` awaits its
//! workers' `JoinHandle`s before it sends the `watch` shutdown they wait
//! for (the usual "shutdown hangs" report: `handle.await` first,
//! `shutdown_tx.send(true)` after).
//!
//! `#[tokio::main]`; two plain `tokio::spawn` workers each report on
//! `ready` (an mpsc) after their warm-up, then serve until `shutdown`
//! (a `watch<bool>`) turns `true`. `main` reads both ready reports, then
//! joins the workers, then would send `true` on `shutdown`.
//!
//! Expected: one certain deadlock of `thread main` (awaiting the first
//! worker's `JoinHandle`) and that worker (waiting on `shutdown` whose
//! only sender `main` holds); the second worker behind (or in the cycle).

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, watch};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("main_joins_workers_before_watch_shutdown");
    let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
    let (ready_tx, mut ready) = mpsc::channel_named::<usize>("ready", 4);
    let mut workers = Vec::new();
    for id in 0..2 {
        let mut shutdown = shutdown_rx.clone();
        let ready_tx = ready_tx.clone();
        workers.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            ready_tx.send(id).await.expect("main is alive");
            drop(ready_tx);
            let served = 0u64;
            shutdown
                .wait_for(|stop| *stop)
                .await
                .expect("main keeps the sender");
            served
        }));
    }
    drop(ready_tx);
    while let Some(id) = ready.recv().await {
        println!("worker {id} ready");
    }
    ready_when(|g| waiters(g, NodeKind::Channel, "shutdown") == 2);
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("the worker ends");
    }
    // Too late: the workers wait for this before they end.
    let _ = shutdown_tx.send(true);
    println!("served {total}");
}
