//! Healthy control: a batcher that holds its buffer's lock while it waits,
//! under a timeout, for the next event; the producer needs that lock
//! between two sends. Both started with plain `tokio::spawn`.
//!
//! `batch` locks `buffer` and waits at most an hour on `events` for the
//! next event, flushing the buffer when the hour passes. `produce` sends
//! an event, then checks the backlog (which needs `buffer`) before the
//! next send. Once the batcher holds the lock and waits on `events`, the
//! two wait on each other until the batcher's timer fires: a stall of an
//! hour, not a deadlock.
//!
//! Expected: no deadlock.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn batch(buffer: Arc<Mutex<Vec<u64>>>, mut events: mpsc::Receiver<u64>) {
    loop {
        let mut buffer = buffer.lock().await;
        match tokio::time::timeout(Duration::from_secs(3600), events.recv()).await {
            Ok(Some(event)) => buffer.push(event),
            Ok(None) => return,
            Err(_) => {
                println!("flushing {} events", buffer.len());
                buffer.clear();
            }
        }
    }
}

#[peeps::instrument]
async fn produce(buffer: Arc<Mutex<Vec<u64>>>, events: mpsc::Sender<u64>) {
    for event in 0.. {
        if events.send(event).await.is_err() {
            return;
        }
        let backlog = buffer.lock().await.len();
        println!("backlog {backlog}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("batcher_lock_across_timeout_tokio_spawn");
    let buffer = Arc::new(Mutex::new(Vec::new()).named("buffer"));
    let (tx, rx) = mpsc::channel_named("events", 16);
    tokio::spawn(batch(buffer.clone(), rx));
    tokio::spawn(produce(buffer, tx));
    ready_when(|g| {
        attr(g, NodeKind::Channel, "events", "received").is_some_and(|n| n >= 1)
            && waited_on_for(g, NodeKind::Channel, "events", "recv")
            && waited_on_for(g, NodeKind::Mutex, "buffer", "lock")
    });
    park().await
}
