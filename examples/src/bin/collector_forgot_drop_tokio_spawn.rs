//! Deadlock: a collector started with plain `tokio::spawn` forgot to drop
//! its own sender, so the channel it drains never closes (the most common
//! channel bug in tokio code).
//!
//! `collect` makes the `results` channel, spawns three jobs into a tokio
//! `JoinSet`, each with a clone of the sender, and reads results until the
//! channel closes. It never drops the original sender: once the jobs are
//! done, it waits for a message only it could send. `main` awaits its
//! tokio `JoinHandle` (outside the graph).
//!
//! Expected: one `probable` deadlock of the collector (named after its
//! tokio id) with itself on channel `results`, its sender held by the
//! collector (made there, in its instrumented future's state).

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn measure(job: u64, results: mpsc::Sender<u64>) {
    let _ = results.send(job * job).await;
}

#[peeps::instrument]
async fn collect() -> Vec<u64> {
    let (tx, mut results) = mpsc::channel_named("results", 8);
    let mut jobs = JoinSet::new();
    for job in 1..=3 {
        jobs.spawn(measure(job, tx.clone()));
    }
    // Bug: `drop(tx)` forgotten here.
    let mut all = Vec::new();
    while let Some(r) = results.recv().await {
        all.push(r);
    }
    while jobs.join_next().await.is_some() {}
    all
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("collector_forgot_drop_tokio_spawn");
    let collector = tokio::spawn(collect());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "results", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
    });
    println!("{:?}", collector.await);
}
