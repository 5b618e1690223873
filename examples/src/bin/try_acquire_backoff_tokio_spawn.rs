//! Healthy control: a `Semaphore::try_acquire` loop with backoff beside
//! tasks that acquire and wait.
//!
//! Two `render` jobs hold the two permits of `gpu` across an hour of
//! work; a `batch` job waits for a permit with `acquire`; a `preview`
//! polls with `try_acquire`, holding its `previews` lock, and backs off
//! on a timer (up to a second) while the GPU is busy. All are plain
//! `tokio::spawn` tasks with instrumented bodies.
//!
//! Expected: no deadlock, no potential deadlock (`try_acquire` cannot
//! wait, so it orders nothing).

use examples::{holders, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn render(frame: u64, gpu: Arc<Semaphore>) {
    let _permit = gpu.acquire().await.expect("gpu is never closed");
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!("frame {frame} rendered");
}

#[peeps::instrument]
async fn batch(gpu: Arc<Semaphore>) {
    let _permit = gpu.acquire().await.expect("gpu is never closed");
    println!("batch done");
}

#[peeps::instrument]
async fn preview(gpu: Arc<Semaphore>, previews: Arc<Mutex<Vec<u64>>>) {
    let mut done = previews.lock().await;
    let mut backoff = Duration::from_millis(5);
    loop {
        match gpu.try_acquire() {
            Ok(_permit) => {
                done.push(1);
                return;
            }
            Err(_) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("try_acquire_backoff_tokio_spawn");
    let gpu = Arc::new(Semaphore::new(2).named("gpu"));
    let previews = Arc::new(Mutex::new(Vec::new()).named("previews"));
    for frame in 1..=2 {
        tokio::spawn(render(frame, gpu.clone()));
    }
    while holders(&peeps::snapshot(), NodeKind::Semaphore, "gpu").len() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::spawn(batch(gpu.clone()));
    tokio::spawn(preview(gpu, previews));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Semaphore, "gpu", "acquire")
            && holders(g, NodeKind::Mutex, "previews").len() == 1
    });
    park().await
}
