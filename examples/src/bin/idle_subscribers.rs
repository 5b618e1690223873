//! Healthy control: many idle tasks waiting on a channel that a live
//! producer feeds.
//!
//! `ticker` sends a tick into the broadcast channel `ticks` every second
//! (it owns the sender and uses it); 200 `subscriber` tasks each wait for
//! the next tick. Almost every task is blocked almost all the time, but
//! all of them wait on a task that will wake up on its own.
//!
//! Expected: no deadlock, no task stuck forever, no long wait.

use examples::{attr, park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::broadcast;
use std::time::Duration;

/// How many idle tasks.
const SUBSCRIBERS: usize = 200;

#[peeps::instrument]
async fn tick(ticks: broadcast::Sender<u64>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    for n in 0.. {
        every.tick().await;
        let _ = ticks.send(n);
    }
}

#[peeps::instrument]
async fn subscribe(mut ticks: broadcast::Receiver<u64>) {
    let mut last = 0;
    while let Ok(n) = ticks.recv().await {
        last = last.max(n);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("idle_subscribers");
    let (ticks, _) = broadcast::channel_named("ticks", 16);
    for _ in 0..SUBSCRIBERS {
        peeps::spawn_named("subscriber", subscribe(ticks.subscribe()));
    }
    peeps::spawn_named("ticker", tick(ticks));

    ready_when(|g| {
        waiters(g, NodeKind::Channel, "ticks") == SUBSCRIBERS
            && attr(g, NodeKind::Channel, "ticks", "sent") >= Some(2)
    });
    park().await
}
