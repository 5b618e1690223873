//! Healthy, mostly idle: `main` awaits the tokio `JoinHandle` of a plain
//! `tokio::spawn` worker, which receives `jobs` (a peeps mpsc of capacity
//! 4) from a `ticker` (`peeps::spawn_named`) that sends one every 700 ms.
//!
//! `main` first waits on a peeps receive (`wait_once_seen`: peeps counts
//! its waker from then) and for the worker's first result; the worker waited on
//! `jobs` (peeps knows its cell, where tokio keeps the clone of `main`'s
//! waker the handle's await registered). So a snapshot has `main` waiting
//! on the worker, which waits on `jobs`, whose sender the `ticker` keeps,
//! on its timer: idle, not stuck. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{ready_when, wait_once_seen, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn tick(jobs: mpsc::Sender<u64>) {
    for n in 1u64.. {
        tokio::time::sleep(Duration::from_millis(700)).await;
        if jobs.send(n).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_joins_plain_worker_fed_by_ticker");
    let (jobs, mut inbox) = mpsc::channel_named::<u64>("jobs", 4);
    let (results_tx, mut results) = mpsc::channel_named::<u64>("results", 4);
    // After the channels: `main`'s root, kept by its handles, is the one
    // whose waker peeps counts from this wait on.
    wait_once_seen("started").await;
    peeps::spawn_named("ticker", tick(jobs));
    let worker = tokio::spawn(async move {
        let mut sum = 0;
        while let Some(job) = inbox.recv().await {
            sum += job;
            // Only the first result is read; the rest would fill `results`.
            if job == 1 && results_tx.send(job).await.is_err() {
                break;
            }
        }
        sum
    });
    let first = results.recv().await;
    println!("first result: {first:?}");
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
            && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
    });
    let sum = worker.await.expect("the worker ends");
    println!("sum {sum}");
}
