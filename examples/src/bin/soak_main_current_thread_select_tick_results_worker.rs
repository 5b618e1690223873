//! Healthy, mostly idle: a periodic job loop in a current-thread `main`
//! (`#[tokio::main(flavor = "current_thread")]`, the flavor of
//! `#[tokio::test]` and of small tools).
//!
//! `main` loops on a `select!` of `results` (a peeps mpsc of capacity 4)
//! against a 700 ms `tokio::time::interval`: each tick sends a job into
//! `jobs` (a peeps mpsc of capacity 4), each result is counted. The
//! `worker` (`peeps::spawn_named`) receives a job, works 10 ms and sends its
//! result into `results`.
//!
//! Between ticks `main` waits on its timer (which peeps cannot see) and
//! on `results`, whose sender the `worker` keeps, while the `worker`
//! waits on `jobs`, whose sender `main` keeps: idle, not stuck; the next
//! tick moves both. A current-thread runtime's `block_on` waker cannot be
//! counted, but `main` has lost that race to its timer at the same call
//! many times. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn work(mut jobs: mpsc::Receiver<u64>, results: mpsc::Sender<u64>) {
    while let Some(n) = jobs.recv().await {
        tokio::time::sleep(Duration::from_millis(10)).await;
        if results.send(n * 2).await.is_err() {
            return;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_main_current_thread_select_tick_results_worker");
    let (jobs, jobs_rx) = mpsc::channel_named("jobs", 4);
    let (results_tx, mut results) = mpsc::channel_named("results", 4);
    peeps::spawn_named("worker", work(jobs_rx, results_tx));
    let done = Arc::new(AtomicU64::new(0));
    let seen = done.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 3 && waited_on_for(g, NodeKind::Channel, "results", "recv")
    });
    let mut tick = tokio::time::interval(Duration::from_millis(700));
    let mut n = 0u64;
    loop {
        tokio::select! {
            result = results.recv() => {
                if result.is_none() {
                    return;
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            _ = tick.tick() => {
                n += 1;
                if jobs.send(n).await.is_err() {
                    return;
                }
            }
        }
    }
}
