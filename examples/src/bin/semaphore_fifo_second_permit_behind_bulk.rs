//! Deadlock: tokio's `Semaphore` is fair (first in, first out), so a task
//! that holds one permit and asks for another queues behind a bulk
//! `acquire_many` that needs the permit it holds, although enough permits
//! are free for its own request (the semaphore twin of tokio#2849's
//! "recursive read behind a writer"; tokio's docs: "this Semaphore is fair
//! ... acquire_many ... may prevent smaller acquires").
//!
//! `uploads` has 3 permits. `upload-part` takes one for the part's body,
//! then (after a short sleep) one more for its checksum sidecar. Between
//! the two, `compaction` asks for all 3 with `acquire_many(3)` and queues.
//! `upload-part`'s second `acquire()` queues behind it, with 2 permits
//! free.
//!
//! Expected: one `certain` deadlock of `upload-part` and `compaction`: the
//! compaction waits for the permit `upload-part` holds; `upload-part`'s
//! second acquire waits behind the compaction's, queued first.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn upload_part(uploads: Arc<Semaphore>, part: u32) {
    let _body = uploads.acquire().await.expect("never closed");
    // Stream the body.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let _sidecar = uploads.acquire().await.expect("never closed");
    println!("part {part} uploaded with its checksum");
}

#[peeps::instrument]
async fn compact(uploads: Arc<Semaphore>) {
    tokio::time::sleep(Duration::from_millis(10)).await;
    let _all = uploads.acquire_many(3).await.expect("never closed");
    println!("compacted with every upload slot");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("semaphore_fifo_second_permit_behind_bulk");
    let uploads = Arc::new(Semaphore::new(3).named("uploads"));
    peeps::spawn_named("upload-part", upload_part(uploads.clone(), 1));
    peeps::spawn_named("compaction", compact(uploads));
    ready_when(|g| waiters(g, NodeKind::Semaphore, "uploads") == 2);
    park().await
}
