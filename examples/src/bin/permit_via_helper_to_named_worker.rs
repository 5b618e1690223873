//! Deadlock: an owned permit handed, through a plain helper fn that
//! spawns, to an instrumented `peeps::spawn_named` worker that waits for
//! a oneshot; the spawner takes a second permit of the pool of one before
//! it sends.
//!
//! `uploader` (`peeps::spawn_named`, its body instrumented) acquires the
//! only permit of `upload-slots`, logs it, calls `start_upload(permit,
//! done_rx)` (a plain fn calling `peeps::spawn_named("upload", ..)`), then
//! acquires again; `upload` holds the permit until oneshot `done` fires,
//! and `uploader` holds its sender.
//!
//! Expected: one certain deadlock of `uploader` and `upload` over
//! semaphore `upload-slots` and oneshot `done`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore, oneshot};
use std::sync::Arc;

#[peeps::instrument]
async fn upload(permit: OwnedSemaphorePermit, done: oneshot::Receiver<()>) {
    let _ = done.await;
    drop(permit);
}

fn start_upload(permit: OwnedSemaphorePermit, done: oneshot::Receiver<()>) {
    peeps::spawn_named("upload", upload(permit, done));
}

#[peeps::instrument]
async fn upload_two(slots: Arc<Semaphore>) {
    let first = slots.clone().acquire_owned().await.expect("never closed");
    println!("a.bin with {} slot", first.num_permits());
    let (done, done_rx) = oneshot::channel_named("done");
    start_upload(first, done_rx);
    let second = slots.clone().acquire_owned().await.expect("never closed");
    let _ = done.send(());
    drop(second);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permit_via_helper_to_named_worker");
    let slots = Arc::new(Semaphore::new(1).named("upload-slots"));
    peeps::spawn_named("uploader", upload_two(slots));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Semaphore, "upload-slots", "acquire")
            && waited_on_for(g, NodeKind::Channel, "done", "recv")
    });
    park().await
}
