//! The fixed twin of `reserved_slot_held_joining_sender_child`: `main`
//! awaits the thumbnail task first, then reserves the slot for the
//! manifest and sends it at once. It uploads a photo every 200 ms; the
//! plain uploader takes 20 ms per upload and acks each on `acks`.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reserve_after_joining_sender_child");
    let (uploads, mut queue) = mpsc::channel_named::<(String, usize)>("uploads", 1);
    let (ack_tx, mut acks) = mpsc::channel_named::<String>("acks", 4);
    tokio::spawn(async move {
        while let Some((name, size)) = queue.recv().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = ack_tx.send(format!("{name}: {size} bytes")).await;
        }
    });
    for photo in 0u64.. {
        uploads
            .send((format!("photo{photo}.jpg"), 40_000))
            .await
            .expect("the uploader is alive");
        println!("{:?}", acks.recv().await);
        let thumbs = uploads.clone();
        let thumbnail = tokio::spawn(async move {
            let size = 4_000;
            thumbs
                .send((format!("photo{photo}.thumb.jpg"), size))
                .await
                .expect("the uploader is alive");
            size
        });
        let thumb_size = thumbnail.await.expect("the thumbnail task ends");
        let manifest_slot = uploads.reserve().await.expect("the uploader is alive");
        manifest_slot.send((format!("manifest{photo}.json"), 40_000 + thumb_size));
        println!("{:?}", acks.recv().await);
        println!("{:?}", acks.recv().await);
        if photo == 2 {
            ready();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
