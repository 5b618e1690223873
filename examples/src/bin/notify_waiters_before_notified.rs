//! Deadlock: a lost wake-up. `Notify::notify_waiters()` wakes only the
//! waiters registered at that moment and stores nothing, so a consumer that
//! creates its `notified()` future after the call waits forever; the
//! producer meanwhile waits for the consumer's acknowledgement (tokio's
//! `Notify` docs warn about exactly this; related: tokio-rs/tokio#4618,
//! #7965).
//!
//! `producer` fills the shared batch (a std mutex), calls
//! `batch_ready.notify_waiters()`, then awaits the consumer's ack on
//! `acks`. `consumer` first flushes its previous batch (a short sleep),
//! then calls `batch_ready.notified().await`: too late. Both are
//! `peeps::spawn_named` tasks; the producer has notified `batch-ready`
//! before.
//!
//! Expected: one deadlock of `consumer` (waiting on notify `batch-ready`,
//! which `producer` was seen to notify) and `producer` (waiting to
//! receive on `acks`, whose sender is with `consumer`): `probable`, as
//! anyone holding the `Notify` may notify it.

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

struct Shared {
    batch: StdMutex<Vec<u32>>,
    batch_ready: Notify,
}

#[peeps::instrument]
async fn produce(shared: Arc<Shared>, mut acks: mpsc::Receiver<usize>) {
    for round in 0..3 {
        shared
            .batch
            .lock()
            .unwrap()
            .extend(round * 10..round * 10 + 10);
        shared.batch_ready.notify_waiters();
        let Some(flushed) = acks.recv().await else {
            return;
        };
        println!("consumer flushed {flushed}");
    }
}

#[peeps::instrument]
async fn consume(shared: Arc<Shared>, acks: mpsc::Sender<usize>) {
    loop {
        // Flush the previous batch to disk first.
        tokio::time::sleep(Duration::from_millis(50)).await;
        shared.batch_ready.notified().await;
        let batch = std::mem::take(&mut *shared.batch.lock().unwrap());
        if acks.send(batch.len()).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("notify_waiters_before_notified");
    let shared = Arc::new(Shared {
        batch: StdMutex::new(Vec::new()),
        batch_ready: Notify::new().named("batch-ready"),
    });
    let (ack_tx, ack_rx) = mpsc::channel_named("acks", 1);
    peeps::spawn_named("producer", produce(shared.clone(), ack_rx));
    peeps::spawn_named("consumer", consume(shared, ack_tx));
    ready_when(|g| {
        waited_on(g, NodeKind::Notify, "batch-ready")
            && waited_on_for(g, NodeKind::Channel, "acks", "recv")
    });
    park().await
}
