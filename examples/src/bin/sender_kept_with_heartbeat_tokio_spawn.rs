//! Deadlock, with an unrelated plain task alive: a pump
//! (`peeps::spawn_named`, no other peeps annotation) primes its own `ticks`
//! channel with one send, moves a *clone* of the sender into a plain
//! `tokio::spawn(async move { .. })` that sends one tick and ends, and
//! receives until every sender is gone — but it still holds the original.
//! `main` runs a plain `tokio::spawn` heartbeat loop on a timer, which
//! never touches `ticks`. Multi-thread runtime.
//!
//! The truth: the pump waits for itself forever. What docs/ownership.md
//! promises while a task peeps cannot see into is alive (the heartbeat):
//! the sender's use and its find in the pump's state are no proof, so no
//! deadlock, and a long wait on `ticks` that says its sender was last seen
//! with task "pump" and may have been moved into such a task since.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>) {
    if ticks.send(0).await.is_err() {
        return;
    }
    let once = ticks.clone();
    tokio::spawn(async move {
        let _ = once.send(1).await;
    });
    // The bug: `ticks` is still held here, so the loop never ends.
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
    drop(ticks);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_kept_with_heartbeat_tokio_spawn");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let (tx, rx) = mpsc::channel_named("ticks", 4);
    peeps::spawn_named("pump", pump(tx, rx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "ticks", "recv")
            && examples::attr(g, NodeKind::Channel, "ticks", "received") == Some(2)
            && examples::attr(g, NodeKind::Channel, "ticks", "senders") == Some(1)
    });
    park().await
}
