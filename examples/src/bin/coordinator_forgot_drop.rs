//! Deadlock: a coordinator forgot to drop its results sender, and awaits
//! the collector that drains that channel.
//!
//! `coordinator` makes the `results` channel, hands a clone of the sender
//! to each of three workers (each sends one result and ends), spawns
//! `collector` with the receiver, and awaits the collector's JoinHandle.
//! It never drops its own sender (`drop(tx)` is missing): once the workers
//! are done, the collector waits for a message, or for the channel to
//! close, and only the coordinator could end that wait; the coordinator
//! waits for the collector to finish. `main` awaits the coordinator.
//!
//! The coordinator never uses its sender: peeps saw only that it made it
//! (evidence `made`), which alone names no holder. But the sender lives in
//! the coordinator's own state across its `.await` on the collector, and
//! peeps finds it there at the snapshot, which proves who holds it.
//!
//! Expected: one `certain` deadlock of `coordinator` and `collector`:
//! `collector` waits on channel `results` to receive, `sender held by task
//! "coordinator" (made there, still in its state)`; `coordinator` waits on
//! task `collector` to finish. The `main` thread is behind it.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[peeps::instrument]
async fn collect(mut results: mpsc::Receiver<u64>) -> u64 {
    let mut sum = 0;
    while let Some(r) = results.recv().await {
        sum += r;
    }
    sum
}

#[peeps::instrument]
async fn coordinate() -> u64 {
    let (tx, results) = mpsc::channel_named("results", 8);
    for n in 1..=3u64 {
        let tx = tx.clone();
        peeps::spawn_named(format!("worker-{n}"), async move {
            tx.send(n * n).await.expect("collector alive");
        });
    }
    let collector = peeps::spawn_named("collector", collect(results));
    // Missing: drop(tx);
    collector.await.expect("the collector does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("coordinator_forgot_drop");
    let coordinator = peeps::spawn_named("coordinator", coordinate());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "results", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
            && !g.nodes.iter().any(|n| n.name.starts_with("worker-"))
            && waited_on_for(g, NodeKind::Task, "collector", "join")
            && waited_on_for(g, NodeKind::Task, "coordinator", "join")
    });
    let sum = coordinator.await.expect("the coordinator does not panic");
    println!("sum {sum}");
}
