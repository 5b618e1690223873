//! Deadlock: a collector forgot to drop its own sender, so the channel it
//! drains never closes.
//!
//! `collector` creates the `results` channel, hands a clone of the sender
//! to each worker and then reads results until the channel closes. It
//! never drops the original sender: once the workers are done, it waits
//! for a message only it could send. `main` awaits its JoinHandle.
//!
//! The collector never *uses* its sender (it only created and cloned it),
//! so what peeps saw is only who made it (evidence `made`), which alone
//! names no holder: the sender might have moved anywhere. But the sender
//! lives in the collector's own state across its `recv().await`, and peeps
//! reads the state of each blocked task at the snapshot: it finds the
//! handle there, which proves the collector holds it. (`recv_own_sender`
//! is the same deadlock with a task that also sends on its sender.)
//!
//! Expected: one `certain` deadlock of the single task `collector` on
//! channel `results`, `sender held by task "collector" (made there, still
//! in its state)`, with the `main` thread behind it.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[peeps::instrument]
async fn collect() -> Vec<u64> {
    let (tx, mut results) = mpsc::channel_named("results", 8);
    for n in 1..=3u64 {
        let tx = tx.clone();
        peeps::spawn_named(format!("worker-{n}"), async move {
            tx.send(n * n).await.expect("collector alive");
        });
    }
    // Missing: drop(tx);
    let mut all = Vec::new();
    while let Some(r) = results.recv().await {
        all.push(r);
    }
    all
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("recv_own_sender_unused");
    let collector = peeps::spawn_named("collector", collect());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "results", "received") == Some(3)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
            && !g.nodes.iter().any(|n| n.name.starts_with("worker-"))
            && waited_on_for(g, NodeKind::Task, "collector", "join")
    });
    let all = collector.await.expect("the collector does not panic");
    println!("results: {all:?}");
}
