//! Deadlock: a task holding the only permit of a semaphore spawns a child
//! that needs a permit, and awaits the child's `JoinHandle`.
//!
//! Each upload handler (started with plain `tokio::spawn`) takes a slot
//! of `encoders` (capacity 1) for its encoding, then hands the thumbnail
//! to a child task (`peeps::spawn_named`) and waits for it before
//! releasing its slot; the child's encoding needs a slot too.
//!
//! Expected: one `probable` deadlock (the handler is a plain tokio task)
//! of the handler and `thumbnail` over semaphore `encoders`: the handler
//! joins `thumbnail`, which waits for the permit the handler holds.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;

#[peeps::instrument]
async fn make_thumbnail(upload: u64, encoders: Arc<Semaphore>) -> Vec<u8> {
    let _slot = encoders.acquire().await.expect("encoders is never closed");
    vec![upload as u8; 16]
}

#[peeps::instrument]
async fn handle_upload(upload: u64, encoders: Arc<Semaphore>) {
    let _slot = encoders.acquire().await.expect("encoders is never closed");
    let encoded = vec![upload as u8; 1024];
    let thumbnail = peeps::spawn_named("thumbnail", make_thumbnail(upload, encoders.clone()));
    if let Ok(thumb) = thumbnail.await {
        println!("upload {upload}: {} + {} bytes", encoded.len(), thumb.len());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permit_held_joining_child_tokio_spawn");
    let encoders = Arc::new(Semaphore::new(1).named("encoders"));
    tokio::spawn(handle_upload(7, encoders));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Semaphore, "encoders", "acquire")
            && waited_on_for(g, NodeKind::Task, "thumbnail", "join")
    });
    park().await
}
