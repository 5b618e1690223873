//! Healthy, under steady load, written with peeps' own spawns: a
//! subscription registry with churn. Three subscribers
//! (`peeps::spawn_named("subscriber-N")`) each, in a loop, make an
//! `events` channel (capacity 2) and a `sub-ack` oneshot, send `Subscribe`
//! (a topic, the events sender and the ack sender) into `hub-inbox`,
//! await the ack, take five events slowly (400-1200 ms each), then drop
//! the receiver and subscribe again. `hub` runs a `tokio::select!` loop
//! over `hub-inbox` and a 500 ms prune ticker: it files each events sender
//! in a shared registry (`Arc<std::sync::Mutex<Vec<(u64, Sender)>>>`),
//! acknowledges, and prunes closed senders on the tick. `publisher` sends
//! an event to every registered sender every 250 ms (`send().await`: it
//! waits for a slow subscriber's room). Every task is peeps': the census
//! counts none unseen. Multi-thread runtime.
//!
//! The events senders are on the heap (the registry); the subscription's
//! bytes they were moved out of may stay in the hub's state. Expected, in
//! every dump: no deadlock, nothing stuck forever, no potential deadlock;
//! the publisher's wait to send on `events` is an honest long wait.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Subscribe {
    topic: [u8; 32],
    events: mpsc::Sender<u64>,
    ack: oneshot::Sender<u64>,
}

type Registry = Arc<std::sync::Mutex<Vec<(u64, mpsc::Sender<u64>)>>>;

#[peeps::instrument]
async fn run_hub(mut inbox: mpsc::Receiver<Subscribe>, registry: Registry) {
    let mut prune = tokio::time::interval(Duration::from_millis(500));
    let mut next = 0u64;
    loop {
        tokio::select! {
            sub = inbox.recv() => {
                let Some(sub) = sub else { return };
                std::hint::black_box(&sub.topic);
                next += 1;
                registry.lock().expect("not poisoned").push((next, sub.events));
                let _ = sub.ack.send(next);
            }
            _ = prune.tick() => {
                registry
                    .lock()
                    .expect("not poisoned")
                    .retain(|(_, s)| !s.is_closed());
            }
        }
    }
}

#[peeps::instrument]
async fn publish(registry: Registry, published: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    for n in 0u64.. {
        tick.tick().await;
        let senders: Vec<mpsc::Sender<u64>> = registry
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        for s in senders {
            if s.send(n).await.is_ok() {
                published.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[peeps::instrument]
async fn subscribe_loop(hub: mpsc::Sender<Subscribe>, me: u64) {
    for round in 0u64.. {
        let (events, mut rx) = mpsc::channel_named("events", 2);
        let (ack, acked) = oneshot::channel_named("sub-ack");
        let sub = Subscribe {
            topic: [me as u8; 32],
            events,
            ack,
        };
        if hub.send(sub).await.is_err() {
            return;
        }
        if acked.await.is_err() {
            return;
        }
        for k in 0..5u64 {
            let Some(n) = rx.recv().await else { return };
            std::hint::black_box(n);
            let slow = 400 + ((me * 7 + round * 3 + k) * 131) % 800;
            tokio::time::sleep(Duration::from_millis(slow)).await;
        }
        drop(rx);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_registry_resubscribe_select");
    let (hub, inbox) = mpsc::channel_named("hub-inbox", 4);
    let registry: Registry = Arc::default();
    peeps::spawn_named("hub", run_hub(inbox, registry.clone()));
    let published = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("publisher", publish(registry, published.clone()));
    for (me, name) in [
        (1, "subscriber-1"),
        (2, "subscriber-2"),
        (3, "subscriber-3"),
    ] {
        peeps::spawn_named(name, subscribe_loop(hub.clone(), me));
    }
    drop(hub);
    ready_when(move |g| {
        published.load(Ordering::Relaxed) >= 10
            && waited_on_for(g, NodeKind::Channel, "events", "send")
    });
    examples::park().await
}
