//! Healthy twin of `owned_permit_reacquired_health_server`: the uploader
//! (`peeps::spawn_named`) takes the only permit of `upload-slots` with
//! `acquire_owned` and makes the thumbnail under that same permit (the
//! helper takes no second one); one upload every 20 ms. The plain health
//! server and prober run as before.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn thumbnail(_slot: &OwnedSemaphorePermit, file: &str) -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    format!("{file}.thumb")
}

async fn upload(slots: Arc<Semaphore>, file: &'static str, done: Arc<AtomicU64>) {
    loop {
        let slot = slots
            .clone()
            .acquire_owned()
            .await
            .expect("the pool is never closed");
        let thumb = thumbnail(&slot, file).await;
        println!("uploaded {file} with {thumb}");
        drop(slot);
        done.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_permit_passed_down_health_server");
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
    let done = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("uploader", upload(slots, "cat.png", done.clone()));
    ready_when(move |_| done.load(Ordering::SeqCst) >= 5);
    park().await
}
