//! Healthy control: a task makes a channel, hands the sender to a producer
//! that has nothing to send yet, and awaits the consumer.
//!
//! The same as `producer_made_in_main`, with the channel made in a task
//! (`pipeline`) rather than on the main thread. `sensor` gets the sender
//! of `readings` and sends its first reading after a warm-up (an
//! hour-long sleep standing in for waiting on the outside world);
//! `consumer` gets the receiver and waits for readings; `pipeline` awaits
//! the consumer, and `main` awaits the pipeline. Nothing is deadlocked:
//! the sensor will wake up on its own and send.
//!
//! peeps sees the sender move into `sensor` at spawn. The sensor waits on
//! a timer, which peeps cannot see, so it may wake at any time: the
//! consumer's wait, and the pipeline's behind it, can end.
//!
//! Expected: no deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[peeps::instrument]
async fn sense(readings: mpsc::Sender<f64>) {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    for i in 0.. {
        if readings.send(f64::from(i) * 0.5).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[peeps::instrument]
async fn consume(mut readings: mpsc::Receiver<f64>) -> f64 {
    let mut max = f64::MIN;
    while let Some(r) = readings.recv().await {
        max = max.max(r);
    }
    max
}

#[peeps::instrument]
async fn pipeline() -> f64 {
    let (tx, rx) = mpsc::channel_named("readings", 16);
    peeps::spawn_named("sensor", sense(tx));
    let consumer = peeps::spawn_named("consumer", consume(rx));
    consumer.await.expect("the consumer does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("producer_made_in_task");
    let pipeline = peeps::spawn_named("pipeline", pipeline());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && waited_on_for(g, NodeKind::Task, "consumer", "join")
            && waited_on_for(g, NodeKind::Task, "pipeline", "join")
    });
    let max = pipeline.await.expect("the pipeline does not panic");
    println!("max reading {max}");
}
