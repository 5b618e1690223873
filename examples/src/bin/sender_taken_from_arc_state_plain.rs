//! Healthy control: a sender parked in `Arc`'d state (a peeps mutex over
//! an `Option`) by an instrumented fn, then taken out by a plain
//! `tokio::spawn(async move { .. })` block that sends later (a timer); the
//! receiver (`peeps::spawn_named`, its body instrumented) made the channel
//! and receives until the sender is gone.
//!
//! Expected: no deadlock, nothing stuck forever: the sender is with the
//! plain block on a timer. peeps cannot see the block; the sender's last
//! known holder (the receiver, which made it and stored it) must not be
//! believed.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct Shared {
    outbox: Mutex<Option<mpsc::Sender<u64>>>,
}

#[peeps::instrument]
async fn receive(shared: Arc<Shared>) {
    let (events, mut incoming) = mpsc::channel_named("events", 2);
    *shared.outbox.lock().await = Some(events);
    let worker = shared.clone();
    tokio::spawn(async move {
        let Some(events) = worker.outbox.lock().await.take() else {
            return;
        };
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = events.send(1).await;
    });
    while let Some(e) = incoming.recv().await {
        println!("event {e}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_taken_from_arc_state_plain");
    let shared = Arc::new(Shared {
        outbox: Mutex::new(None).named("outbox"),
    });
    let probe = shared.clone();
    peeps::spawn_named("receiver", receive(shared));
    ready_when(move |g| {
        waited_on_for(g, NodeKind::Channel, "events", "recv")
            && probe.outbox.try_lock().is_ok_and(|o| o.is_none())
    });
    park().await
}
