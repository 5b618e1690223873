//! Deadlock: an mpsc slot reserved with `Sender::reserve` is held across
//! the `.await` of a `JoinHandle` whose task sends on that same channel
//! (tokio's `reserve` docs: the permit holds capacity until it is used or
//! dropped). The channel's capacity is 1, so the child's `send` waits for
//! the slot its parent's `Permit` holds.
//!
//! `#[tokio::main]`: a plain `tokio::spawn` uploader reads `uploads`
//! (capacity 1). `main` receives an `ack` for its first upload, reserves
//! the slot for the manifest, then spawns a plain task that sends the
//! thumbnail on `uploads` and awaits it, to put the thumbnail's size in
//! the manifest, before it sends the manifest through the permit.
//!
//! Expected: one certain deadlock of `thread main` (awaiting the child's
//! `JoinHandle`, holding the only slot of `uploads`) and the child
//! (sending on `uploads`, full by `main`'s permit); the uploader, waiting
//! on an empty `uploads`, behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reserved_slot_held_joining_sender_child");
    let (uploads, mut queue) = mpsc::channel_named::<(String, usize)>("uploads", 1);
    let (ack_tx, mut acks) = mpsc::channel_named::<String>("acks", 4);
    tokio::spawn(async move {
        while let Some((name, size)) = queue.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = ack_tx.send(format!("{name}: {size} bytes")).await;
        }
    });
    uploads
        .send(("photo.jpg".into(), 40_000))
        .await
        .expect("the uploader is alive");
    println!("{:?}", acks.recv().await);
    let manifest_slot = uploads.reserve().await.expect("the uploader is alive");
    let thumbs = uploads.clone();
    let thumbnail = tokio::spawn(async move {
        let size = 4_000;
        thumbs
            .send(("photo.thumb.jpg".into(), size))
            .await
            .expect("the uploader is alive");
        size
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "uploads", "send"));
    let thumb_size = thumbnail.await.expect("the thumbnail task ends");
    manifest_slot.send(("manifest.json".into(), 40_000 + thumb_size));
    println!("{:?}", acks.recv().await);
}
