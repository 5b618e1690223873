//! Healthy control: a `broadcast` fan-out whose slow subscribers lag,
//! started with plain `tokio::spawn` and `#[peeps::instrument]` bodies.
//!
//! `publisher` sends 16 events into `events` (capacity 4), then sleeps an
//! hour before the next burst. `fast` keeps up (on `Lagged` it skips
//! ahead) and waits for the next event; two `slow` subscribers spend an
//! hour on their first event, so the channel overwrites what they have
//! not read.
//!
//! Expected: no deadlock, nothing stuck forever (the publisher's timer).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::broadcast::{self, error::RecvError};
use std::time::Duration;

#[peeps::instrument]
async fn publish(events: broadcast::Sender<u64>) {
    let mut next = 0;
    loop {
        for _ in 0..16 {
            let _ = events.send(next);
            next += 1;
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn subscriber(name: &'static str, mut events: broadcast::Receiver<u64>, work: Duration) {
    loop {
        match events.recv().await {
            Ok(event) => {
                println!("{name}: event {event}");
                tokio::time::sleep(work).await;
            }
            Err(RecvError::Lagged(missed)) => println!("{name}: missed {missed}"),
            Err(RecvError::Closed) => return,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("broadcast_lagging_subscribers_tokio_spawn");
    let (tx, _) = broadcast::channel_named("events", 4);
    tokio::spawn(subscriber("fast", tx.subscribe(), Duration::ZERO));
    for _ in 0..2 {
        tokio::spawn(subscriber(
            "slow",
            tx.subscribe(),
            Duration::from_secs(3600),
        ));
    }
    tokio::spawn(publish(tx));
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "events", "recv"));
    park().await
}
