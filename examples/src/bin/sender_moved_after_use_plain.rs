//! Healthy: a pump (`peeps::spawn_named`, no other peeps annotation)
//! primes its own channel with one send, hands the sender to a plain
//! `tokio::spawn(async move { .. })` ticker that sends again after an
//! hour, and receives until the sender is gone.
//!
//! Expected: no deadlock, nothing stuck forever: the sender is with the
//! ticker, on a timer. The bytes the sender was moved out of stay in the
//! pump's state (it was borrowed by its send) and must not pin it on the
//! pump.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>) {
    if ticks.send(0).await.is_err() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = ticks.send(1).await;
    });
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_moved_after_use_plain");
    let (tx, rx) = mpsc::channel_named("ticks", 4);
    peeps::spawn_named("pump", pump(tx, rx));
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "ticks", "recv"));
    park().await
}
