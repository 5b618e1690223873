//! Healthy control: the `#[tokio::main(flavor = "current_thread")]` body
//! itself (no peeps annotation at all, and no peeps task in the program)
//! sends a first event on its own `events` channel, moves the sender into
//! a plain `tokio::spawn(async move { .. })` ticker that sends again after
//! an hour, and receives until the sender is gone.
//!
//! Expected: no deadlock, nothing stuck forever: the sender is with the
//! ticker, on a timer. `main` used the sender before it moved; that use
//! must not pin the sender on `main` (the ticker is a task peeps cannot
//! see into).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("sender_used_then_moved_from_main_current_thread");
    let (tx, mut rx) = mpsc::channel_named("events", 4);
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "events", "recv")
            && examples::attr(g, NodeKind::Channel, "events", "received") == Some(1)
    });
    tx.send("started").await.expect("main receives");
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = tx.send("tick").await;
    });
    while let Some(event) = rx.recv().await {
        println!("event {event}");
    }
}
