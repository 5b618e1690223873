//! Healthy: a service that holds incoming events until its cache is warm.
//! `main` makes a `cache-ready` channel, sends a first `Warming` status on
//! it itself, and files the sender in a shared slot
//! (`Arc<std::sync::Mutex<Option<Sender>>>`) that the `cache-warmer`
//! (`peeps::spawn_named`) takes it from after 1.5 s of warming, to send
//! `Ready`. Meanwhile three plain `tokio::spawn` ingesters send events into
//! `events` (capacity 2), which `main` only drains once it has read
//! `Ready`: they wait for room while `main` awaits `cache-ready`. Each
//! round then repeats after the backlog is drained.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
enum Status {
    Warming,
    Ready,
}

type Slot = Arc<std::sync::Mutex<Option<mpsc::Sender<Status>>>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_startup_gate_sender_in_shared_slot_plain");
    let (events, mut event_rx) = mpsc::channel_named::<String>("events", 2);
    for ingester in 0..3 {
        let events = events.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                n += 1;
                if events
                    .send(format!("ingester {ingester} event {n}"))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
    }
    drop(events);
    let slot: Slot = Arc::new(std::sync::Mutex::new(None));
    let warmer_slot = slot.clone();
    peeps::spawn_named("cache-warmer", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let ready = warmer_slot.lock().expect("slot").take();
            if let Some(ready) = ready {
                let _ = ready.send(Status::Ready).await;
            }
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "events", "send")
            && examples::waited_on(snap, NodeKind::Channel, "cache-ready")
    });
    loop {
        let (ready, mut ready_rx) = mpsc::channel_named::<Status>("cache-ready", 4);
        if ready.send(Status::Warming).await.is_err() {
            return;
        }
        *slot.lock().expect("slot") = Some(ready);
        while let Some(status) = ready_rx.recv().await {
            if matches!(std::hint::black_box(status), Status::Ready) {
                break;
            }
        }
        for _ in 0..50 {
            let Some(event) = event_rx.recv().await else {
                return;
            };
            std::hint::black_box(event);
        }
    }
}
