//! Healthy control: owned permits of a pool of 2 taken one after another
//! in one fn, each logged and moved into a plain
//! `tokio::spawn(async move { .. })` upload (slow: a timer) that drops it
//! when done; the third upload waits for a permit in the same scope.
//!
//! `uploader` (`peeps::spawn_named`, its body instrumented).
//!
//! Expected: no deadlock, nothing stuck forever: the permits are with
//! the upload blocks, on timers. peeps cannot follow a permit into an
//! uninstrumented block; the bytes it was moved out of may stay in the
//! uploader's state, which must not pin it on the uploader.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;
use std::time::Duration;

fn upload(file: &'static str, permit: OwnedSemaphorePermit) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("{file} uploaded");
        drop(permit);
    });
}

#[peeps::instrument]
async fn upload_all(slots: Arc<Semaphore>) {
    let first = slots.clone().acquire_owned().await.expect("never closed");
    println!("a.bin with {} slot", first.num_permits());
    upload("a.bin", first);
    let second = slots.clone().acquire_owned().await.expect("never closed");
    println!("b.bin with {} slot", second.num_permits());
    upload("b.bin", second);
    let third = slots.clone().acquire_owned().await.expect("never closed");
    upload("c.bin", third);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_permits_unrolled_into_async_blocks");
    let slots = Arc::new(Semaphore::new(2).named("upload-slots"));
    peeps::spawn_named("uploader", upload_all(slots));

    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "upload-slots", "acquire"));
    park().await
}
