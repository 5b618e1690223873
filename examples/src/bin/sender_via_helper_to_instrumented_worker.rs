//! Healthy control: fan-in where each producer is an instrumented fn
//! started with plain `tokio::spawn` by a plain helper fn, handed a clone
//! of the sender; the original, used once (`capacity()`), goes to the last
//! producer. The producers are slow (timers); the aggregator
//! (`peeps::spawn_named`, its body instrumented) receives until every
//! sender is gone.
//!
//! Expected: no deadlock, nothing stuck forever: both senders are with
//! the producers on timers (peeps sees them at the producers' first
//! poll).

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn produce(sensor: u64, readings: mpsc::Sender<u64>) {
    tokio::time::sleep(Duration::from_secs(3600 * sensor)).await;
    let _ = readings.send(sensor).await;
}

fn start_sensor(sensor: u64, readings: mpsc::Sender<u64>) {
    tokio::spawn(produce(sensor, readings));
}

#[peeps::instrument]
async fn aggregate() {
    let (readings, mut incoming) = mpsc::channel_named("readings", 4);
    start_sensor(1, readings.clone());
    println!("room for {}", readings.capacity());
    start_sensor(2, readings);
    let mut sum = 0;
    while let Some(r) = incoming.recv().await {
        sum += r;
    }
    println!("sum {sum}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_via_helper_to_instrumented_worker");
    peeps::spawn_named("aggregator", aggregate());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && attr(g, NodeKind::Channel, "readings", "senders") == Some(2)
    });
    park().await
}
