//! Healthy control: a sender cloned once per worker in a loop, each clone
//! moved into a plain `async move` block given to `JoinSet::spawn`, the
//! original dropped; the gatherer (`peeps::spawn_named`, its body
//! instrumented) receives until every clone is gone. The workers are
//! slow (timers) before they send.
//!
//! Expected: no deadlock, nothing stuck forever: the gatherer waits on
//! channel `results`, whose three senders are with the workers on
//! timers.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn gather() {
    let (results, mut incoming) = mpsc::channel_named("results", 1);
    let mut workers = JoinSet::new();
    for shard in 0..3_u64 {
        let results = results.clone();
        workers.spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600 * (shard + 1))).await;
            let _ = results.send(shard).await;
        });
    }
    drop(results);
    let mut total = 0;
    while let Some(r) = incoming.recv().await {
        total += r;
    }
    while workers.join_next().await.is_some() {}
    println!("total {total}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_sender_clones_on_timers");
    peeps::spawn_named("gatherer", gather());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "results", "recv")
            && attr(g, NodeKind::Channel, "results", "senders") == Some(3)
    });
    park().await
}
