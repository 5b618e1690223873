//! Healthy, under steady load, written with peeps' own spawns: a pub-sub
//! hub. Two subscribers (`peeps::spawn_named("subscriber-N")`) each make an
//! events channel (capacity 4), send `Subscribe` (a topic name and the
//! events sender) into `hub-inbox`, and receive events forever. `hub`
//! receives each subscription, acknowledges it on `audit` (an `.await`, so
//! the subscription lives in its state across it), then files the sender
//! in a shared subscriber list (`Arc<std::sync::Mutex<Vec<Sender>>>`).
//! `publisher` sends an event to every listed sender every 1.2 s.
//! `auditor` drains `audit`. Every task is peeps': the census counts none
//! unseen. Multi-thread runtime.
//!
//! The events senders are on the heap (the list), used by the publisher on
//! its ticker; the subscription's bytes they were moved out of may stay in
//! the hub's state. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock, and no long wait (a receive is no
//! stall).

use examples::{attr, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

struct Subscribe {
    topic: [u8; 48],
    events: mpsc::Sender<u64>,
}

type Subscribers = Arc<std::sync::Mutex<Vec<mpsc::Sender<u64>>>>;

#[peeps::instrument]
async fn run_hub(mut inbox: mpsc::Receiver<Subscribe>, list: Subscribers, audit: mpsc::Sender<u8>) {
    while let Some(sub) = inbox.recv().await {
        if audit.send(sub.topic[0]).await.is_err() {
            return;
        }
        list.lock().expect("not poisoned").push(sub.events);
    }
}

#[peeps::instrument]
async fn publish(list: Subscribers) {
    let mut tick = tokio::time::interval(Duration::from_millis(1200));
    for n in 0u64.. {
        tick.tick().await;
        let senders: Vec<mpsc::Sender<u64>> = list.lock().expect("not poisoned").clone();
        for s in senders {
            let _ = s.try_send(n);
        }
    }
}

#[peeps::instrument]
async fn drain_audit(mut audit: mpsc::Receiver<u8>) {
    while let Some(a) = audit.recv().await {
        std::hint::black_box(a);
    }
}

#[peeps::instrument]
async fn subscribe(id: u8, hub: mpsc::Sender<Subscribe>) {
    let (events, mut rx) = mpsc::channel_named(format!("events-{id}"), 4);
    let topic = [id; 48];
    if hub.send(Subscribe { topic, events }).await.is_err() {
        return;
    }
    while let Some(e) = rx.recv().await {
        std::hint::black_box(e);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_hub_subscribers_in_shared_list");
    let (hub, inbox) = mpsc::channel_named("hub-inbox", 8);
    let (audit, audit_rx) = mpsc::channel_named("audit", 8);
    let list: Subscribers = Arc::default();
    peeps::spawn_named("hub", run_hub(inbox, list.clone(), audit));
    peeps::spawn_named("publisher", publish(list));
    peeps::spawn_named("auditor", drain_audit(audit_rx));
    for id in 1..=2 {
        peeps::spawn_named(format!("subscriber-{id}"), subscribe(id, hub.clone()));
    }
    drop(hub);
    ready_when(|g| {
        attr(g, NodeKind::Channel, "events-1", "received").is_some_and(|n| n >= 1)
            && attr(g, NodeKind::Channel, "events-2", "received").is_some_and(|n| n >= 1)
    });
    examples::park().await
}
