//! Deadlock: a collector forgot to drop its own sender, so the channel it
//! drains never closes.
//!
//! `collector` creates the `results` channel, hands a clone of the sender
//! to each worker and then reads results until the channel closes. It
//! never drops the original sender: once the workers are done, it waits
//! for a message only it could send. `main` awaits its JoinHandle.
//!
//! The collector never *uses* its sender (it only created and cloned it),
//! so peeps attributes that sender to it unconfirmed. An unconfirmed
//! attribution releases nothing peeps can name (the sender may have been
//! handed on to another task without a trace), so peeps does not find this
//! deadlock: a known gap, documented by the test
//! `gap_recv_own_sender_unused`. `recv_own_sender`, whose task also sends
//! on its sender, is found.
//!
//! What it should be: a deadlock of the single task `collector` on channel
//! `results`, with the `main` thread behind it.

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
