//! Deadlock: a fan-out that awaits every worker's `JoinHandle` before it
//! starts reading the bounded results channel the workers send into; a
//! worker with more results than the channel holds waits for room, and the
//! collector waits for it to finish (a perennial question on the tokio
//! Discord and users.rust-lang.org: "join then recv" hangs once the
//! output outgrows the buffer).
//!
//! `collector` spawns `resize-1`..`resize-3`, each sending 8 thumbnails
//! into `thumbnails` (capacity 4), then awaits the handles in order, and
//! only then drains the receiver. It keeps the receiver and, for the
//! drain loop to end, drops its own sender before joining.
//!
//! Expected: one `certain` deadlock of `collector` (joining `resize-1`)
//! and `resize-1` (waiting to send on full `thumbnails`, whose receiver is
//! with `collector`); `resize-2` and `resize-3`, waiting to send too,
//! behind it.

use examples::{park, ready_when, waited_on, waiters};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[derive(Debug)]
struct Thumbnail {
    image: u32,
    size: u32,
}

#[peeps::instrument]
async fn resize(image: u32, out: mpsc::Sender<Thumbnail>) {
    for size in (1..=8).map(|n| n * 32) {
        if out.send(Thumbnail { image, size }).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn collect() -> Vec<Thumbnail> {
    let (tx, mut rx) = mpsc::channel_named("thumbnails", 4);
    let mut workers = Vec::new();
    for image in 1..=3 {
        workers.push(peeps::spawn_named(
            format!("resize-{image}"),
            resize(image, tx.clone()),
        ));
    }
    drop(tx);
    for worker in workers {
        worker.await.expect("resize does not panic");
    }
    let mut thumbnails = Vec::new();
    while let Some(t) = rx.recv().await {
        thumbnails.push(t);
    }
    thumbnails
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_workers_before_draining_results");
    peeps::spawn_named("collector", async {
        let all = collect().await;
        for t in &all {
            println!("image {} at {} px", t.image, t.size);
        }
    });
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "thumbnails") == 3 && waited_on(g, NodeKind::Task, "resize-1")
    });
    park().await
}
