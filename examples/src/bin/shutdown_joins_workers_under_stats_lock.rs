//! Deadlock: a supervisor's graceful shutdown holds the stats lock while
//! it awaits its workers, and each worker, told to stop, locks the stats
//! to add its final count.
//!
//! `supervisor` runs three actors (`worker-1..3`), each a `select!` loop
//! over its own inbox and the `shutdown` watch channel. To shut down it
//! locks `stats`, marks the service draining, sends `true` on `shutdown`,
//! then awaits each worker's `JoinHandle` in turn, the guard still alive
//! (it prints the totals at the end). Each worker leaves its loop on the
//! signal and locks `stats` to add what it handled. `main` awaits the
//! supervisor.
//!
//! Expected: one `certain` deadlock of `supervisor` and `worker-1` over
//! mutex `stats`: the supervisor joins `worker-1`, which waits for the
//! guard the supervisor holds; `worker-2`, `worker-3` (waiting for the
//! same guard) and `main` are behind it.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;

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
    // Graceful shutdown.
    let mut s = stats.lock().await;
    s.draining = true;
    let _ = shutdown_tx.send(true);
    for worker in workers {
        worker.await.expect("a worker does not panic");
    }
    println!("handled {} (draining: {})", s.handled, s.draining);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_joins_workers_under_stats_lock");
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let supervisor = peeps::spawn_named("supervisor", supervise(stats));
    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "stats") == 3
            && waited_on_for(g, NodeKind::Task, "worker-1", "join")
            && waited_on_for(g, NodeKind::Task, "supervisor", "join")
    });
    supervisor.await.expect("the supervisor does not panic");
}
