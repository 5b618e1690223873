//! Healthy, under steady load: a pub-sub hub actor that makes each
//! subscription's channel itself, files the sender in its topic table
//! and hands the *receiver* back on the subscribe call's `oneshot` reply.
//! The hub is `peeps::spawn_named`; subscribers and publishers are plain
//! `tokio::spawn`.
//!
//! `hub` reads `hub-inbox` (capacity 16): `Subscribe { topic, reply }`
//! makes a `topic-feed` (capacity 8), keeps its sender in a
//! `HashMap<String, Vec<Sender>>` and replies with the receiver;
//! `Publish { topic, event }` `try_send`s to every feed of the topic and
//! drops the closed ones. Publishers post to `prices` and `orders` every
//! 200 ms. Three subscribers read `prices`; one of them drops its feed
//! after 10 events and subscribes to `orders` instead. A fourth
//! subscribes to `audit`, which nobody publishes to: an idle subscriber
//! whose feed's sender only the hub ever had. `main` awaits the hub.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Event {
    seq: u64,
    body: String,
}

enum HubMsg {
    Subscribe {
        topic: String,
        reply: oneshot::Sender<mpsc::Receiver<Event>>,
    },
    Publish {
        topic: String,
        event: Event,
    },
}

async fn hub(mut inbox: mpsc::Receiver<HubMsg>) {
    let mut topics: HashMap<String, Vec<mpsc::Sender<Event>>> = HashMap::new();
    while let Some(msg) = inbox.recv().await {
        match msg {
            HubMsg::Subscribe { topic, reply } => {
                let (tx, rx) = mpsc::channel_named("topic-feed", 8);
                if reply.send(rx).is_ok() {
                    topics.entry(topic).or_default().push(tx);
                }
            }
            HubMsg::Publish { topic, event } => {
                if let Some(feeds) = topics.get_mut(&topic) {
                    feeds.retain(|feed| match feed.try_send(event.clone()) {
                        Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => true,
                        Err(mpsc::error::TrySendError::Closed(_)) => false,
                    });
                }
            }
        }
    }
}

#[derive(Clone)]
struct HubHandle {
    inbox: mpsc::Sender<HubMsg>,
}

impl HubHandle {
    async fn subscribe(&self, topic: &str) -> Option<mpsc::Receiver<Event>> {
        let (reply, feed) = oneshot::channel_named("subscribe-reply");
        self.inbox
            .send(HubMsg::Subscribe {
                topic: topic.to_owned(),
                reply,
            })
            .await
            .ok()?;
        feed.await.ok()
    }

    async fn publish(&self, topic: &str, event: Event) {
        let _ = self
            .inbox
            .send(HubMsg::Publish {
                topic: topic.to_owned(),
                event,
            })
            .await;
    }
}

async fn subscriber(hub: HubHandle, switch_after: Option<u64>, seen: Arc<AtomicU64>) {
    let mut feed = hub.subscribe("prices").await.expect("subscribed");
    let mut got = 0;
    while let Some(event) = feed.recv().await {
        debug_assert!(!event.body.is_empty());
        got += 1;
        seen.fetch_add(1, Ordering::Relaxed);
        if Some(got) == switch_after {
            drop(feed);
            feed = hub.subscribe("orders").await.expect("subscribed");
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_hub_hands_out_feed_receivers_plain");
    let (tx, rx) = mpsc::channel_named("hub-inbox", 16);
    let hub_task = peeps::spawn_named("hub", hub(rx));
    let handle = HubHandle { inbox: tx };

    let seen = Arc::new(AtomicU64::new(0));
    for i in 0..3 {
        let switch = (i == 0).then_some(10);
        tokio::spawn(subscriber(handle.clone(), switch, seen.clone()));
    }
    let audit = handle.clone();
    let audited = Arc::new(AtomicU64::new(0));
    let audited_too = audited.clone();
    tokio::spawn(async move {
        let mut feed = audit.subscribe("audit").await.expect("subscribed");
        audited_too.fetch_add(1, Ordering::Relaxed);
        while let Some(event) = feed.recv().await {
            println!("audit {}: {}", event.seq, event.body);
        }
    });
    for topic in ["prices", "orders"] {
        let publisher = handle.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(200));
            for seq in 0.. {
                tick.tick().await;
                let body = format!("{topic} #{seq}");
                publisher.publish(topic, Event { seq, body }).await;
            }
        });
    }
    drop(handle);
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 30
            && audited.load(Ordering::Relaxed) == 1
            && waiters(g, NodeKind::Channel, "topic-feed") >= 2
    });
    let _ = hub_task.await;
}
