//! Healthy control: the twin of `shutdown_joins_workers_under_stats_lock`,
//! the workers awaited under a grace period.
//!
//! `supervisor` runs three actors (`worker-1..3`), each a `select!` loop
//! over its own inbox and the `shutdown` watch channel. To shut down it
//! locks `stats`, marks the service draining, sends `true` on `shutdown`,
//! and awaits its workers with `join_all` under `tokio::time::timeout`
//! (an hour of grace), the guard still alive; past the grace period it
//! aborts them and gives the lock up. Each worker leaves its loop on the
//! signal and locks `stats` to add what it handled. The three workers
//! wait for the guard until the grace period ends: a stall, not a
//! deadlock. `main` awaits the supervisor.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on_for, waiters};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Stats {
    draining: bool,
    handled: u64,
}

#[peeps::instrument]
async fn work(
    mut inbox: mpsc::Receiver<u64>,
    mut shutdown: watch::Receiver<bool>,
    stats: Arc<Mutex<Stats>>,
) {
    let mut handled = 0;
    loop {
        tokio::select! {
            Some(msg) = inbox.recv() => handled += msg,
            _ = shutdown.changed() => break,
        }
    }
    stats.lock().await.handled += handled;
}

#[peeps::instrument]
async fn supervise(stats: Arc<Mutex<Stats>>) {
    let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
    let mut inboxes = Vec::new();
    let mut workers = Vec::new();
    for id in 1..=3 {
        let (tx, rx) = mpsc::channel_named(format!("inbox-{id}"), 8);
        let worker = work(rx, shutdown_rx.clone(), stats.clone());
        workers.push(peeps::spawn_named(format!("worker-{id}"), worker));
        inboxes.push(tx);
    }
    for (n, inbox) in inboxes.iter().enumerate() {
        let _ = inbox.send(n as u64 + 1).await;
    }
    // Graceful shutdown, with a grace period.
    let mut s = stats.lock().await;
    s.draining = true;
    let _ = shutdown_tx.send(true);
    let aborts: Vec<_> = workers.iter().map(|w| w.abort_handle()).collect();
    let grace = Duration::from_secs(3600);
    if tokio::time::timeout(grace, join_all(workers))
        .await
        .is_err()
    {
        for abort in aborts {
            abort.abort();
        }
    }
    println!("handled {} (draining: {})", s.handled, s.draining);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_grace_period_under_stats_lock");
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let supervisor = peeps::spawn_named("supervisor", supervise(stats));
    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "stats") == 3
            && ["worker-1", "worker-2", "worker-3"]
                .iter()
                .all(|w| waited_on_for(g, NodeKind::Task, w, "join"))
            && waited_on_for(g, NodeKind::Task, "supervisor", "join")
    });
    supervisor.await.expect("the supervisor does not panic");
}
