//! Healthy, steady: a quote feed whose subscribers' senders are kept in
//! an `Arc<RwLock<Vec<mpsc::Sender<Quote>>>>` (`subscribers`); the
//! publisher sends each quote to every subscriber while it keeps the read
//! lock. Subscribers are plain `tokio::spawn`; the publisher, the janitor
//! and the lobby are `peeps::spawn_named`.
//!
//! Each subscriber makes its `quote-feed` (capacity 16), pushes the sender
//! under a write lock and reads quotes; a third of them leave after 10
//! quotes (drop their receiver). `quote-publisher` publishes every 20 ms
//! for a burst of 60 quotes, then every 2 s, awaiting each send under the
//! read lock. `janitor` prunes closed senders under a write lock every
//! 200 ms; `lobby` lets a new subscriber in every 100 ms for the first 12.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug)]
struct Quote {
    symbol: &'static str,
    price: u64,
}

type Subscribers = Arc<RwLock<Vec<mpsc::Sender<Quote>>>>;

async fn subscriber(id: u64, subscribers: Subscribers, received: Arc<AtomicU64>) {
    let (tx, mut feed) = mpsc::channel_named("quote-feed", 16);
    subscribers.write().await.push(tx);
    let mut seen = 0u64;
    while let Some(quote) = feed.recv().await {
        std::hint::black_box((quote.symbol, quote.price));
        received.fetch_add(1, Ordering::Relaxed);
        seen += 1;
        if id.is_multiple_of(3) && seen == 10 {
            return;
        }
    }
}

async fn publisher(subscribers: Subscribers, published: Arc<AtomicU64>) {
    const SYMBOLS: [&str; 3] = ["ACME", "INIT", "HOOLI"];
    for n in 0u64.. {
        let quote = Quote {
            symbol: SYMBOLS[(n % 3) as usize],
            price: 100 + n % 17,
        };
        {
            let subscribers = subscribers.read().await;
            for subscriber in subscribers.iter() {
                // A gone subscriber refuses at once; the janitor prunes it.
                let _ = subscriber.send(quote.clone()).await;
            }
        }
        published.fetch_add(1, Ordering::Relaxed);
        let pause = if n < 60 { 20 } else { 2000 };
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

async fn janitor(subscribers: Subscribers) {
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tick.tick().await;
        subscribers.write().await.retain(|s| !s.is_closed());
    }
}

async fn lobby(subscribers: Subscribers, received: Arc<AtomicU64>) {
    for id in 0..12 {
        tokio::spawn(subscriber(id, subscribers.clone(), received.clone()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_subscriber_list_read_locked_publisher_plain");
    let subscribers: Subscribers = Arc::new(RwLock::new(Vec::new()).named("subscribers"));
    let published = Arc::new(AtomicU64::new(0));
    let received = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("janitor", janitor(subscribers.clone()));
    peeps::spawn_named("lobby", lobby(subscribers.clone(), received.clone()));
    peeps::spawn_named(
        "quote-publisher",
        publisher(subscribers.clone(), published.clone()),
    );
    ready_when(move |_| {
        published.load(Ordering::Relaxed) >= 62 && received.load(Ordering::Relaxed) >= 200
    });
    park().await
}
