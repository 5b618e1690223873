//! Deadlock: the twin of `sender_used_then_moved_from_main_current_thread`
//! that keeps the sender. The `#[tokio::main(flavor = "current_thread")]`
//! body (no peeps annotation at all) sends a first event on its own
//! `events` channel, moves a *clone* of the sender into a plain
//! `tokio::spawn` that sends one event and ends, and receives until every
//! sender is gone — but it still holds the original.
//!
//! The truth: `main` waits for itself forever. A receive is no stall in
//! peeps' words, so the least peeps must do is say nothing false.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("sender_used_kept_in_main_current_thread");
    let (tx, mut rx) = mpsc::channel_named("events", 4);
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "events", "recv")
            && examples::attr(g, NodeKind::Channel, "events", "received") == Some(2)
            && examples::attr(g, NodeKind::Channel, "events", "senders") == Some(1)
    });
    tx.send("started").await.expect("main receives");
    let once = tx.clone();
    tokio::spawn(async move {
        let _ = once.send("tick").await;
    });
    // The bug: `tx` is still held here, so the loop never ends.
    while let Some(event) = rx.recv().await {
        println!("event {event}");
    }
    drop(tx);
}
