//! Deadlock: a `MutexGuard` held across a send into a full bounded
//! channel whose consumer needs the mutex before it receives again. No
//! peeps annotation at all: plain `tokio::spawn` of `async move` blocks.
//!
//! An event logger: the producer locks `sequence`, numbers a burst of
//! events and sends each into `events` (capacity 1) with the guard still
//! held; the consumer takes `sequence` to record the last number it saw
//! after each event.
//!
//! Expected: a certain deadlock of the two plain tasks. Both channel ends
//! were made in `main` and moved into uninstrumented blocks; the consumer
//! receives from the block's state, which tokio keeps in the task's cell,
//! so the receiver is the consumer's: the producer waits to send into
//! `events`, whose receiver the consumer holds, and the consumer waits to
//! lock `sequence`, which the producer holds.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_across_full_send_plain");
    let sequence = Arc::new(Mutex::new(0u64).named("sequence"));
    let (events_tx, mut events_rx) = mpsc::channel_named("events", 1);

    let seq = sequence.clone();
    tokio::spawn(async move {
        let mut next = seq.lock().await;
        for event in ["boot", "login", "logout"] {
            *next += 1;
            // The guard is still held while the send waits for room.
            if events_tx.send((*next, event)).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        while let Some((number, event)) = events_rx.recv().await {
            println!("{number}: {event}");
            *sequence.lock().await = number;
        }
    });

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "events", "send")
            && waited_on_for(g, NodeKind::Mutex, "sequence", "lock")
    });
    park().await
}
