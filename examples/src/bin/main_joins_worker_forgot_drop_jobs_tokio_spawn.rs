//! Deadlock: `main` feeds a plain `tokio::spawn` worker through `jobs`,
//! reads the first result, then awaits the worker's tokio `JoinHandle`
//! while it still holds the only sender of `jobs` (it forgot
//! `drop(jobs)`): the worker waits for another job, forever, and `main`
//! for the worker.
//!
//! `main` waited on a peeps receive first (`wait_once_seen`), so peeps
//! counts its waker (tokio's parked-thread one); the worker waited on
//! `jobs`, so peeps knows its cell, where tokio keeps the clone of
//! `main`'s waker that the handle's await registered (`task_join`).
//!
//! Expected: one deadlock of `thread main` (waiting for the worker to
//! finish) and the worker (waiting to receive from `jobs`, whose sender
//! `main` holds).

use examples::{ready_when, wait_once_seen, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("main_joins_worker_forgot_drop_jobs_tokio_spawn");
    let (jobs, mut inbox) = mpsc::channel_named::<u64>("jobs", 4);
    let (results_tx, mut results) = mpsc::channel_named::<u64>("results", 4);
    // After the channels: `main`'s root, kept by its handles, is the one
    // whose waker peeps counts from this wait on.
    wait_once_seen("started").await;
    let worker = tokio::spawn(async move {
        let mut sum = 0;
        while let Some(job) = inbox.recv().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
            sum += job;
            if results_tx.send(job * 2).await.is_err() {
                break;
            }
        }
        sum
    });
    jobs.send(21).await.expect("the worker is alive");
    let first = results.recv().await;
    println!("first result: {first:?}");
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "jobs", "recv"));
    // Forgot `drop(jobs)`: the worker never sees the end of its jobs.
    let sum = worker.await.expect("the worker ends");
    println!("sum {sum}");
}
