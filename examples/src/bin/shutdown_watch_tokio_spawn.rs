//! Healthy control: graceful shutdown through a `watch` channel, the
//! workers started with plain `tokio::spawn` as `async move` blocks that
//! call instrumented functions.
//!
//! Each worker waits in `select!` on the `shutdown` watch and its share
//! of `jobs` (one receiver behind an `Arc<Mutex<..>>`). `main` sends
//! shutdown; each worker then hands its last report to `flush` (capacity
//! 1), read by `report-writer`, which takes an hour per report. At the
//! snapshot the writer is busy, the channel full, and a worker waits to
//! send; `main` waits for the workers' tokio `JoinHandle`s. The job
//! source (`main`'s sender) is idle.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;
use std::time::Duration;

type Jobs = Arc<Mutex<mpsc::Receiver<u64>>>;

#[peeps::instrument]
async fn next_job(jobs: &Jobs) -> Option<u64> {
    jobs.lock().await.recv().await
}

#[peeps::instrument]
async fn run_worker(
    id: usize,
    jobs: Jobs,
    mut shutdown: watch::Receiver<bool>,
    flush: mpsc::Sender<String>,
) {
    let mut done = 0;
    loop {
        tokio::select! {
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
            job = next_job(&jobs) => match job {
                Some(_) => done += 1,
                None => break,
            },
        }
    }
    let _ = flush.send(format!("worker {id}: {done} jobs")).await;
}

#[peeps::instrument]
async fn write_reports(mut reports: mpsc::Receiver<String>) {
    while let Some(report) = reports.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("{report}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_watch_tokio_spawn");
    let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
    let (jobs_tx, jobs_rx) = mpsc::channel_named("jobs", 16);
    let jobs: Jobs = Arc::new(Mutex::new(jobs_rx).named("job-queue"));
    let (flush_tx, flush_rx) = mpsc::channel_named("flush", 1);
    tokio::spawn(async move { write_reports(flush_rx).await });
    let mut workers = Vec::new();
    for id in 1..=3 {
        let jobs = jobs.clone();
        let shutdown = shutdown_rx.clone();
        let flush = flush_tx.clone();
        workers.push(tokio::spawn(async move {
            run_worker(id, jobs, shutdown, flush).await;
        }));
    }
    drop(flush_tx);
    for job in 0..3 {
        let _ = jobs_tx.send(job).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _ = shutdown_tx.send(true);
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "flush", "send"));
    for worker in workers {
        let _ = worker.await;
    }
    drop(jobs_tx);
    println!("all workers stopped");
}
