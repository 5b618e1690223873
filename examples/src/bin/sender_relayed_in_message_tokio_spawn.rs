//! Healthy control: a channel's sender handed from task to task — inside a
//! message to a hub, then into a publisher the hub starts with plain
//! `tokio::spawn` as an `async move` block calling an instrumented
//! function.
//!
//! `main` makes the `feed` channel. `starter` sends a first reading on it,
//! then hands the sender to `hub` in a `Handoff` on `handoff`, and waits
//! for the `totals` lock. The hub greets the feed (a send), then spawns
//! `async move { publish(feed).await }`, where `publish` sends the next
//! reading an hour later, and goes back to its inbox. `consumer` holds
//! `totals` while it waits on `feed` for that reading.
//!
//! Expected: no deadlock (the publisher's timer ends every wait).

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct Handoff {
    feed: mpsc::Sender<u64>,
}

#[peeps::instrument]
async fn publish(feed: mpsc::Sender<u64>) {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let _ = feed.send(3).await;
}

#[peeps::instrument]
async fn run_hub(mut inbox: mpsc::Receiver<Handoff>) {
    while let Some(Handoff { feed }) = inbox.recv().await {
        if feed.send(2).await.is_err() {
            continue;
        }
        tokio::spawn(async move { publish(feed).await });
    }
}

#[peeps::instrument]
async fn start(feed: mpsc::Sender<u64>, hub: mpsc::Sender<Handoff>, totals: Arc<Mutex<u64>>) {
    if feed.send(1).await.is_err() {
        return;
    }
    if hub.send(Handoff { feed }).await.is_err() {
        return;
    }
    let total = *totals.lock().await;
    println!("total so far {total}");
}

#[peeps::instrument]
async fn consume(mut feed: mpsc::Receiver<u64>, totals: Arc<Mutex<u64>>) {
    let mut total = totals.lock().await;
    while let Some(r) = feed.recv().await {
        *total += r;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sender_relayed_in_message_tokio_spawn");
    let totals = Arc::new(Mutex::new(0).named("totals"));
    let (feed_tx, feed_rx) = mpsc::channel_named("feed", 4);
    let (hub_tx, hub_rx) = mpsc::channel_named("handoff", 4);
    tokio::spawn(consume(feed_rx, totals.clone()));
    // The consumer holds `totals` before `start` runs (under load, tokio
    // may run `start` first, which then finds the lock free).
    while totals.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::spawn(run_hub(hub_rx));
    tokio::spawn(start(feed_tx, hub_tx, totals));
    ready_when(|g| {
        attr(g, NodeKind::Channel, "feed", "received") == Some(2)
            && waited_on_for(g, NodeKind::Channel, "feed", "recv")
            && waited_on_for(g, NodeKind::Channel, "handoff", "recv")
            && waited_on_for(g, NodeKind::Mutex, "totals", "lock")
    });
    park().await
}
