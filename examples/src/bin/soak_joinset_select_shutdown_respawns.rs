//! Healthy: a `supervisor` peeps task keeps four `JoinSet` workers
//! running: it loops on `tokio::select!` over `set.join_next()` (respawning
//! each worker that finishes a 200-600 ms job, which reports on a bounded
//! peeps `results` channel read by a `collector`) and a `watch` shutdown
//! receiver whose sender `main` keeps for a shutdown that never comes.
//! `main` awaits the supervisor. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, watch};
use std::time::Duration;
use tokio::task::JoinSet;

async fn job(id: u64, results: mpsc::Sender<u64>) -> u64 {
    tokio::time::sleep(Duration::from_millis(200 + 100 * (id % 5))).await;
    let _ = results.send(id).await;
    id
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_joinset_select_shutdown_respawns");
    let (shutdown_tx, mut shutdown_rx) = watch::channel(false);
    let (results_tx, mut results_rx) = mpsc::channel_named::<u64>("results", 2);
    peeps::spawn_named("collector", async move {
        let mut n = 0u64;
        while let Some(_v) = results_rx.recv().await {
            n += 1;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        n
    });
    let supervisor = peeps::spawn_named("supervisor", async move {
        let mut set = JoinSet::new();
        let mut next = 0u64;
        for _ in 0..4 {
            set.spawn(job(next, results_tx.clone()));
            next += 1;
        }
        loop {
            tokio::select! {
                Some(done) = set.join_next() => {
                    let _ = done.unwrap();
                    set.spawn(job(next, results_tx.clone()));
                    next += 1;
                }
                _ = shutdown_rx.changed() => break,
            }
        }
        set.shutdown().await;
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "results", "received").is_some_and(|n| n >= 4)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
    });
    supervisor.await.unwrap();
    drop(shutdown_tx);
}
