//! Healthy control: a large job waits with `acquire_many` for the permits
//! small jobs hold across slow work.
//!
//! `workers` has four permits. Two `small-job` tasks hold one each across
//! an hour of work; `big-job` asks for all four at once with
//! `acquire_many(4)` and waits; a third small job, come later, queues
//! behind it (tokio's semaphore is fair).
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{holders, park, ready_when, waiters};
use peeps::graph::{NodeKind, Snapshot};
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn small_job(n: usize, workers: Arc<Semaphore>) {
    let _permit = workers.acquire().await.expect("never closed");
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!("small job {n} done");
}

#[peeps::instrument]
async fn big_job(workers: Arc<Semaphore>) {
    let _all = workers.acquire_many(4).await.expect("never closed");
    println!("big job done");
}

/// Returns once `cond` holds for this process's graph.
async fn until(cond: impl Fn(&Snapshot) -> bool) {
    while !cond(&peeps::snapshot()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("acquire_many_behind_small_jobs");
    let workers = Arc::new(Semaphore::new(4).named("workers"));
    // The order the scenario is about, made certain by looking at the
    // graph: two small jobs in, then the big one queued, then a third.
    for n in 1..=2 {
        peeps::spawn_named(format!("small-job-{n}"), small_job(n, workers.clone()));
    }
    until(|g| holders(g, NodeKind::Semaphore, "workers").len() == 2).await;
    peeps::spawn_named("big-job", big_job(workers.clone()));
    until(|g| waiters(g, NodeKind::Semaphore, "workers") == 1).await;
    peeps::spawn_named("small-job-3", small_job(3, workers));
    ready_when(|g| waiters(g, NodeKind::Semaphore, "workers") == 2);
    park().await
}
