//! Healthy, under steady load: CPU-bound work bounded by a semaphore.
//! An `uploader` (`peeps::spawn_named`, a plain async fn) takes an owned
//! permit of `cpu-slots` (2 permits) per image, moves it into a
//! `spawn_blocking` closure that resizes the image (350-550 ms of
//! `std::thread::sleep`) and drops the permit, and reports the result
//! through a `oneshot` named `resized` that a plain `tokio::spawn`ed
//! waiter awaits; then it takes the next permit. A second uploader does
//! the same from an instrumented fn. Multi-thread runtime.
//!
//! The permits are on `spawn_blocking` threads while the uploaders wait
//! for the next one. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock; waits on `cpu-slots` are long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn resize(image: Vec<u8>, n: u64) -> usize {
    std::thread::sleep(Duration::from_millis(350 + (n * 71) % 200));
    image.iter().step_by(2).count()
}

async fn upload_plain(slots: Arc<Semaphore>, done: Arc<AtomicU64>) {
    for n in 0u64.. {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let (tx, rx) = oneshot::channel_named("resized");
        let image = vec![(n % 251) as u8; 1024];
        tokio::task::spawn_blocking(move || {
            let size = resize(image, n);
            drop(permit);
            let _ = tx.send(size);
        });
        let done = done.clone();
        tokio::spawn(async move {
            if rx.await.is_ok() {
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

#[peeps::instrument]
async fn upload_instrumented(slots: Arc<Semaphore>, done: Arc<AtomicU64>) {
    for n in 0u64.. {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let (tx, rx) = oneshot::channel_named("resized");
        let image = vec![(n % 241) as u8; 1024];
        tokio::task::spawn_blocking(move || {
            let size = resize(image, n + 1);
            drop(permit);
            let _ = tx.send(size);
        });
        let done = done.clone();
        tokio::spawn(async move {
            if rx.await.is_ok() {
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_owned_permits_into_spawn_blocking");
    let slots = Arc::new(Semaphore::new(2).named("cpu-slots"));
    let done = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("uploader-plain", upload_plain(slots.clone(), done.clone()));
    peeps::spawn_named(
        "uploader-instrumented",
        upload_instrumented(slots, done.clone()),
    );
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Semaphore, "cpu-slots")
    });
    examples::park().await
}
