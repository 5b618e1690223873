//! Healthy control: `main` creates a channel, hands the sender to a
//! producer that has nothing to send yet, and awaits the consumer.
//!
//! `sensor` gets the sender of `readings` and sends its first reading
//! after a warm-up (an hour-long sleep standing in for waiting on the
//! outside world); `consumer` gets the receiver and waits for readings;
//! `main` awaits the consumer. Nothing is deadlocked: the sensor will wake
//! up on its own and send.
//!
//! The sender was created in `main` and moved into `sensor` at spawn,
//! where peeps finds it (evidence `spawned`): the sensor holds it and
//! sleeps on a timer, so the consumer's wait is not stuck. (Attributed to
//! `main`, as it was before peeps followed moves, the sender made this a
//! probable deadlock of `main` and `consumer`: a false alarm.)
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

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("producer_made_in_main");
    let (tx, rx) = mpsc::channel_named("readings", 16);
    peeps::spawn_named("sensor", sense(tx));
    let consumer = peeps::spawn_named("consumer", consume(rx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "readings", "recv")
            && waited_on_for(g, NodeKind::Task, "consumer", "join")
    });
    let max = consumer.await.expect("the consumer does not panic");
    println!("max reading {max}");
}
