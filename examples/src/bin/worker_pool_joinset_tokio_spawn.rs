//! Healthy control: a dispatcher feeding a pool of workers, each with its
//! own bounded inbox, started in a tokio `JoinSet`; the results sender
//! cloned into every worker.
//!
//! `dispatch` keeps the workers' senders in a `Vec` and deals jobs round
//! robin. Each job takes a worker an hour (a slow encoder), so every
//! inbox (capacity 1) fills and the dispatcher waits to send. `collect`
//! waits on `results`, whose senders are with the busy workers; `main`
//! waits for the dispatcher through its tokio `JoinHandle`.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn work(id: usize, mut jobs: mpsc::Receiver<u64>, results: mpsc::Sender<(usize, u64)>) {
    while let Some(job) = jobs.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        if results.send((id, job * 2)).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn dispatch(workers: Vec<mpsc::Sender<u64>>) {
    for job in 0..100u64 {
        let worker = &workers[job as usize % workers.len()];
        if worker.send(job).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn collect(mut results: mpsc::Receiver<(usize, u64)>) {
    while let Some((id, out)) = results.recv().await {
        println!("worker {id}: {out}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("worker_pool_joinset_tokio_spawn");
    let (results_tx, results_rx) = mpsc::channel_named("results", 4);
    let mut pool = JoinSet::new();
    let mut inboxes = Vec::new();
    for id in 0..3 {
        let (tx, rx) = mpsc::channel_named(format!("worker-{id}"), 1);
        pool.spawn(work(id, rx, results_tx.clone()));
        inboxes.push(tx);
    }
    drop(results_tx);
    tokio::spawn(collect(results_rx));
    let dispatcher = tokio::spawn(dispatch(inboxes));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "results", "recv")
            && ["worker-0", "worker-1", "worker-2"]
                .iter()
                .any(|w| waited_on_for(g, NodeKind::Channel, w, "send"))
    });
    let _ = dispatcher.await;
    while pool.join_next().await.is_some() {}
}
