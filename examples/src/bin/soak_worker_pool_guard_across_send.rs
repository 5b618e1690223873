//! Deadlock, under steady load, written with peeps' own spawns: a worker
//! pool (`worker-1..3`, `peeps::spawn_named`, loops
//! `#[peeps::instrument]`ed) shares the receiver of a bounded `jobs`
//! channel (capacity 4) through an `Arc<Mutex<Receiver>>` (`job-queue`);
//! three clients (`client-N`) keep it full. Each worker sends its result
//! into `results` (capacity 1) — and the bug: it keeps the `stats` guard
//! across that `send().await`, to count what it sent. The `reporter`,
//! which alone reads `results`, locks `stats` after each result to count
//! what it reported. Soon a worker holds `stats` while `results` is full
//! and the reporter waits on `stats`. Beside it, an unrelated `ping` /
//! `pong` pair (`peeps::spawn_named`) keeps bouncing messages on a timer.
//! Multi-thread runtime.
//!
//! Every task alive is one peeps sees into (the census counts none
//! unseen), so the reporter's receiver, moved in at spawn and in its
//! state, is proof. Expected, once it hangs, in every dump: one `certain`
//! deadlock of the worker holding `stats` and `reporter` (resources
//! `stats`, `results`); the two other workers, waiting on `stats`, are
//! behind it.

use examples::{holders, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

type Queue = Arc<Mutex<mpsc::Receiver<u64>>>;
type Stats = Arc<Mutex<(u64, u64)>>;

#[peeps::instrument]
async fn work(queue: Queue, stats: Stats, results: mpsc::Sender<u64>) {
    loop {
        let job = queue.lock().await.recv().await;
        let Some(n) = job else { return };
        tokio::time::sleep(Duration::from_millis(2)).await;
        let mut s = stats.lock().await;
        // The bug: `s` is alive across the send.
        if results.send(n * n).await.is_err() {
            return;
        }
        s.0 += 1;
    }
}

#[peeps::instrument]
async fn report(mut results: mpsc::Receiver<u64>, stats: Stats) {
    while let Some(r) = results.recv().await {
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut s = stats.lock().await;
        s.1 += 1;
        std::hint::black_box(r);
    }
}

#[peeps::instrument]
async fn submit(jobs: mpsc::Sender<u64>) {
    for n in 0u64.. {
        if jobs.send(n).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn bounce(mut inbox: mpsc::Receiver<u64>, out: mpsc::Sender<u64>, serve: bool) {
    if serve {
        let _ = out.send(0).await;
    }
    while let Some(n) = inbox.recv().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if out.send(n + 1).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_worker_pool_guard_across_send");
    let (jobs, rx) = mpsc::channel_named::<u64>("jobs", 4);
    let queue: Queue = Arc::new(Mutex::new(rx).named("job-queue"));
    let stats: Stats = Arc::new(Mutex::new((0, 0)).named("stats"));
    let (results, results_rx) = mpsc::channel_named::<u64>("results", 1);
    peeps::spawn_named("reporter", report(results_rx, stats.clone()));
    for id in 1..=3 {
        peeps::spawn_named(
            format!("worker-{id}"),
            work(queue.clone(), stats.clone(), results.clone()),
        );
    }
    drop(results);
    for id in 1..=3 {
        peeps::spawn_named(format!("client-{id}"), submit(jobs.clone()));
    }
    drop(jobs);
    let (ping_tx, ping_rx) = mpsc::channel_named::<u64>("ping", 1);
    let (pong_tx, pong_rx) = mpsc::channel_named::<u64>("pong", 1);
    peeps::spawn_named("ping", bounce(pong_rx, ping_tx, true));
    peeps::spawn_named("pong", bounce(ping_rx, pong_tx, false));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "results", "send")
            && waited_on_for(g, NodeKind::Mutex, "stats", "lock")
            && waiters(g, NodeKind::Mutex, "stats") == 3
            && holders(g, NodeKind::Mutex, "stats").len() == 1
    });
    examples::park().await
}
