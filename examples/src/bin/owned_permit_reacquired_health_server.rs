//! Deadlock in truth, with an unrelated plain task serving a second
//! channel: an uploader (`peeps::spawn_named`, no other peeps annotation)
//! takes the only permit of `upload-slots` with `acquire_owned` (tokio's
//! own example for bounding work), then calls a thumbnail helper that
//! acquires from the same pool again while the owned permit is alive. A
//! plain `tokio::spawn` health server answers `health` pings from a plain
//! prober on a timer. Multi-thread runtime.
//!
//! What docs/ownership.md promises: an owned permit is a movable handle;
//! made by the uploader and found in its state, which the census (the
//! health server and prober are tasks peeps cannot see into) makes no
//! proof: no deadlock, and at a short threshold a long wait of `uploader`
//! on `upload-slots` that says the permit was last seen with it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

async fn thumbnail(slots: &Semaphore, file: &str) -> String {
    let _slot = slots.acquire().await.expect("the pool is never closed");
    format!("{file}.thumb")
}

async fn upload(slots: Arc<Semaphore>, file: &'static str) {
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .expect("the pool is never closed");
    // The bug: a second slot from the same pool while `slot` is alive.
    let thumb = thumbnail(&slots, file).await;
    println!("uploaded {file} with {thumb}");
    drop(slot);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_permit_reacquired_health_server");
    let (health, mut pings) = mpsc::channel_named::<oneshot::Sender<&'static str>>("health", 4);
    tokio::spawn(async move {
        while let Some(reply) = pings.recv().await {
            let _ = reply.send("ok");
        }
    });
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (tx, rx) = oneshot::channel();
            if health.send(tx).await.is_err() || rx.await.is_err() {
                return;
            }
        }
    });
    let slots = Arc::new(Semaphore::new(1).named("upload-slots"));
    peeps::spawn_named("uploader", upload(slots, "cat.png"));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "upload-slots", "acquire"));
    park().await
}
