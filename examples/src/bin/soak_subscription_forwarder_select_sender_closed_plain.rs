//! Healthy, under steady load: a feed hub hands out subscriptions. A plain
//! ticker publishes a price every 20 ms on a `broadcast` `prices`. A
//! subscriber asks the hub (an `mpsc` `subscribe` of oneshot replies) for
//! a stream; the hub makes a bounded `updates` channel (4), spawns a plain
//! forwarder that `select!`s `tx.closed()` (the subscriber went away)
//! against `prices.recv()` and forwards each price with `send().await`,
//! and replies with the receiver. Four plain subscribers read 10-30
//! updates (one of them slowly, 40 ms each), drop the receiver to
//! unsubscribe, and subscribe again 50 ms later.
//!
//! A forwarder waits on `closed()` of `updates` (released by its
//! subscriber, who receives on it) and on `prices` (the ticker, on a
//! timer); or sends into a full `updates` (the slow subscriber, on a
//! timer).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{broadcast, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Subscribe = oneshot::Sender<mpsc::Receiver<u64>>;

async fn forward(mut prices: broadcast::Receiver<u64>, tx: mpsc::Sender<u64>) {
    loop {
        tokio::select! {
            () = tx.closed() => return,
            price = prices.recv() => match price {
                Ok(p) => {
                    if tx.send(p).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_subscription_forwarder_select_sender_closed_plain");
    let (prices, _) = broadcast::channel::<u64>(64);
    let prices = prices.named("prices");
    {
        let prices = prices.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            for n in 0u64.. {
                tick.tick().await;
                let _ = prices.send(n);
            }
        });
    }
    let (subscribe, mut requests) = mpsc::channel::<Subscribe>(8);
    let subscribe = subscribe.named("subscribe");
    tokio::spawn(async move {
        while let Some(reply) = requests.recv().await {
            let (tx, rx) = mpsc::channel(4);
            let tx = tx.named("updates");
            tokio::spawn(forward(prices.subscribe(), tx));
            let _ = reply.send(rx);
        }
    });
    let received = Arc::new(AtomicU64::new(0));
    for s in 0..4u64 {
        let subscribe = subscribe.clone();
        let received = received.clone();
        tokio::spawn(async move {
            for round in 0u64.. {
                let (reply, answer) = oneshot::channel();
                if subscribe.send(reply).await.is_err() {
                    return;
                }
                let Ok(mut updates) = answer.await else {
                    return;
                };
                let want = 10 + (round * 7 + s * 5) % 21;
                for _ in 0..want {
                    if updates.recv().await.is_none() {
                        break;
                    }
                    received.fetch_add(1, Ordering::Relaxed);
                    if s == 3 {
                        tokio::time::sleep(Duration::from_millis(40)).await;
                    }
                }
                drop(updates);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }
    drop(subscribe);
    ready_when(move |_| received.load(Ordering::Relaxed) >= 100);
    park().await
}
