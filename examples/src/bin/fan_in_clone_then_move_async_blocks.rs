//! Healthy control: fan-in from two producers, the channel's sender
//! cloned for the first and the original moved into the second, both
//! plain `tokio::spawn(async move { .. })` blocks; the aggregator
//! (`peeps::spawn_named`, its body instrumented) receives until every
//! sender is gone.
//!
//! The first producer sends its one reading and finishes (its clone
//! dropped); the second is slow (a timer) before it sends.
//!
//! Expected: no deadlock, nothing stuck forever: the aggregator waits on
//! channel `readings`, whose remaining sender is with the slow producer
//! on a timer. peeps cannot follow a sender into an uninstrumented block;
//! the bytes the original was moved out of (after `clone` borrowed it)
//! may stay in the aggregator's state, which must not pin it on the
//! aggregator.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn aggregate() {
    let (readings, mut incoming) = mpsc::channel_named("readings", 8);
    let quick = readings.clone();
    tokio::spawn(async move {
        let _ = quick.send(20.5_f64).await;
    });
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = readings.send(21.0).await;
    });
    let mut sum = 0.0;
    while let Some(reading) = incoming.recv().await {
        sum += reading;
    }
    println!("sum {sum}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("fan_in_clone_then_move_async_blocks");
    peeps::spawn_named("aggregator", aggregate());

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && g.nodes
                .iter()
                .find(|n| n.kind == NodeKind::Channel && n.name == "readings")
                .and_then(|n| n.attrs.get("senders").and_then(|v| v.as_u64()))
                == Some(1)
    });
    park().await
}
