//! Healthy, steady: a pub/sub hub keeping one `broadcast` sender per topic
//! (`topic-feed`, capacity 16) in a `topics` `RwLock<HashMap>`; a topic's
//! sender is made under the write lock on first use. Publishers
//! (`peeps::spawn_named`) look their topic's sender up under a read and
//! publish a burst of 300 prices fast, then one every 250 ms. Subscribers
//! are plain `tokio::spawn` tasks: fast ones keep up; slow ones (5 ms a
//! message) lag, and on `Lagged` drop their receiver and subscribe afresh
//! through the hub (under a read), counting the skips in `lag-stats` (a
//! `Mutex`). Afterwards every subscriber waits on its topic between
//! prices.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, broadcast};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Price {
    seq: u64,
    cents: u64,
}

#[derive(Default)]
struct Hub {
    topics: RwLock<HashMap<String, broadcast::Sender<Price>>>,
}

impl Hub {
    async fn sender(&self, topic: &str) -> broadcast::Sender<Price> {
        if let Some(tx) = self.topics.read().await.get(topic) {
            return tx.clone();
        }
        self.topics
            .write()
            .await
            .entry(topic.to_owned())
            .or_insert_with(|| broadcast::channel_named("topic-feed", 16).0)
            .clone()
    }

    async fn subscribe(&self, topic: &str) -> broadcast::Receiver<Price> {
        self.sender(topic).await.subscribe()
    }
}

async fn publisher(hub: Arc<Hub>, topic: &'static str, published: Arc<AtomicU64>) {
    let feed = hub.sender(topic).await;
    let mut seq = 0u64;
    for _ in 0..300 {
        let _ = feed.send(Price {
            seq,
            cents: 1000 + seq % 37,
        });
        seq += 1;
        published.fetch_add(1, Ordering::Relaxed);
        if seq.is_multiple_of(20) {
            tokio::task::yield_now().await;
        }
    }
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let _ = feed.send(Price {
            seq,
            cents: 1000 + seq % 37,
        });
        seq += 1;
    }
}

struct LagStats {
    skipped: u64,
    resubscribed: u64,
}

async fn subscriber(hub: Arc<Hub>, topic: &'static str, slow: bool, stats: Arc<Mutex<LagStats>>) {
    let mut feed = hub.subscribe(topic).await;
    let mut last = 0u64;
    loop {
        match feed.recv().await {
            Ok(price) => {
                last = price.seq;
                std::hint::black_box(price.cents);
                if slow {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                {
                    let mut stats = stats.lock().await;
                    stats.skipped += skipped;
                    stats.resubscribed += 1;
                }
                // Start over from the newest price, as a UI would.
                drop(feed);
                feed = hub.subscribe(topic).await;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
        std::hint::black_box(last);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_pubsub_topics_lagging_resubscribe");
    let hub = Arc::new(Hub::default());
    let stats = Arc::new(
        Mutex::new(LagStats {
            skipped: 0,
            resubscribed: 0,
        })
        .named("lag-stats"),
    );
    let published = Arc::new(AtomicU64::new(0));
    let topics = ["btc", "eth", "sol"];
    for (i, topic) in topics.into_iter().enumerate() {
        for n in 0..4 {
            tokio::spawn(subscriber(
                hub.clone(),
                topic,
                (i + n) % 2 == 0,
                stats.clone(),
            ));
        }
    }
    // Let the subscribers subscribe before the burst.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for topic in topics {
        peeps::spawn_named(
            format!("publisher-{topic}"),
            publisher(hub.clone(), topic, published.clone()),
        );
    }
    let ready_stats = stats.clone();
    ready_when(move |_| {
        published.load(Ordering::Relaxed) == 900
            && ready_stats.try_lock().is_ok_and(|s| s.resubscribed > 0)
    });
    park().await
}
