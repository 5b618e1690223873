//! Healthy control: a producer started with plain `tokio::spawn`, its
//! sender moved into it, from a task that then awaits the consumer.
//!
//! `launcher` makes the `readings` channel, spawns `consumer` (through
//! peeps) with the receiver, starts the producer with `tokio::spawn` with
//! the sender (it sends one reading, then sleeps an hour before the
//! next), and awaits the consumer.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn produce(readings: mpsc::Sender<f64>) {
    for n in 0.. {
        if readings.send(f64::from(n) * 0.5).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn consume(mut readings: mpsc::Receiver<f64>) -> f64 {
    let mut sum = 0.0;
    while let Some(r) = readings.recv().await {
        sum += r;
    }
    sum
}

#[peeps::instrument]
async fn launch() -> f64 {
    let (tx, rx) = mpsc::channel_named("readings", 4);
    let consumer = peeps::spawn_named("consumer", consume(rx));
    tokio::spawn(produce(tx));
    consumer.await.expect("the consumer does not panic")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("producer_tokio_spawned");
    let launcher = peeps::spawn_named("launcher", launch());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "readings", "received") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && waited_on_for(g, NodeKind::Task, "consumer", "join")
    });
    let sum = launcher.await.expect("the launcher does not panic");
    println!("{sum}");
}
