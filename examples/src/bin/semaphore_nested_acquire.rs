//! Deadlock: every holder of a semaphore's permits waits for a second one.
//!
//! `upload-slots` allows three uploads at once. Each `uploader` takes a
//! slot for its file, prepares it, then uploads its thumbnail through a
//! helper that takes a slot of its own, while the first is still held.
//! Three uploaders start together: all three slots are taken by the first
//! acquires, and every second acquire waits for a slot only the waiters
//! themselves could give back. A barrier (the files of a batch are
//! prepared together) makes that interleaving certain.
//!
//! Expected: one `certain` deadlock of `uploader-1`, `uploader-2` and
//! `uploader-3` on semaphore `upload-slots` (borrowed permits, each bound
//! to the task that took it).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Semaphore};
use std::sync::Arc;

#[peeps::instrument]
async fn upload_thumbnail(slots: &Semaphore, file: usize) {
    let _slot = slots.acquire().await.expect("never closed");
    println!("thumbnail of file {file} uploaded");
}

#[peeps::instrument]
async fn upload(slots: Arc<Semaphore>, batch: Arc<Barrier>, file: usize) {
    let _slot = slots.acquire().await.expect("never closed");
    // The files of a batch are prepared together (this also makes the
    // bad interleaving certain).
    batch.wait().await;
    upload_thumbnail(&slots, file).await;
    println!("file {file} uploaded");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("semaphore_nested_acquire");
    let slots = Arc::new(Semaphore::new(3).named("upload-slots"));
    let batch = Arc::new(Barrier::new(3).named("batch"));
    for file in 1..=3 {
        let upload = upload(slots.clone(), batch.clone(), file);
        peeps::spawn_named(format!("uploader-{file}"), upload);
    }

    ready_when(|g| waiters(g, NodeKind::Semaphore, "upload-slots") == 3);
    park().await
}
