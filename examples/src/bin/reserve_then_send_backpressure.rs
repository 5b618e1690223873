//! Healthy control: `mpsc::Sender::reserve` used correctly under
//! back-pressure.
//!
//! Three `producer` tasks each reserve a slot on `uploads` (capacity 2)
//! before taking the next chunk from the shared `pending` list, and send
//! it through the permit at once (so no chunk is lost if the channel
//! closes). The `uploader` is slow: an hour per chunk. The channel is
//! full; the producers wait in `reserve`.
//!
//! Expected: no deadlock, no potential deadlock.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

async fn produce(pending: Arc<Mutex<Vec<Vec<u8>>>>, uploads: mpsc::Sender<Vec<u8>>) {
    loop {
        let Ok(slot) = uploads.reserve().await else {
            return;
        };
        let Some(chunk) = pending.lock().await.pop() else {
            return;
        };
        slot.send(chunk);
    }
}

async fn upload(mut uploads: mpsc::Receiver<Vec<u8>>) {
    while let Some(chunk) = uploads.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("uploaded {} bytes", chunk.len());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reserve_then_send_backpressure");
    let pending = Arc::new(Mutex::new(vec![vec![7u8; 4096]; 32]).named("pending"));
    let (uploads, inbox) = mpsc::channel_named("uploads", 2);
    peeps::spawn_named("uploader", upload(inbox));
    for n in 1..=3 {
        peeps::spawn_named(
            format!("producer-{n}"),
            produce(pending.clone(), uploads.clone()),
        );
    }
    drop(uploads);

    ready_when(|g| waiters(g, NodeKind::Channel, "uploads") == 3);
    park().await
}
