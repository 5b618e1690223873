//! Healthy: a `peeps::spawn_named` uploader merges two feeds in a
//! tokio-stream `StreamMap` (each a peeps receiver read through
//! `poll_recv`, as tokio-stream's `ReceiverStream` does) and uploads each
//! item for 700 ms (a `tokio::time::sleep`). `feed-busy` (capacity 4) is
//! always backlogged (its producer sends every 50 ms and mostly waits on
//! the full channel); `feed-rare` gets one item every 2.5 s, so the map often
//! leaves it registered and empty, and its item arrives while the upload
//! sleeps. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{attr, ready_when};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::pin::Pin;
use std::time::Duration;
use tokio_stream::{Stream, StreamExt, StreamMap};

type Feed = Pin<Box<dyn Stream<Item = u64> + Send>>;

fn feed(mut rx: mpsc::Receiver<u64>) -> Feed {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_streammap_feeds_slow_upload");
    let mut map: StreamMap<&'static str, Feed> = StreamMap::new();
    for (name, every) in [("feed-busy", 50u64), ("feed-rare", 2500)] {
        let (tx, rx) = mpsc::channel_named::<u64>(name, 4);
        map.insert(name, feed(rx));
        tokio::spawn(async move {
            let mut i = 0;
            loop {
                if tx.send(i).await.is_err() {
                    break;
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(every)).await;
            }
        });
    }
    let uploader = peeps::spawn_named("uploader", async move {
        let mut total = 0u64;
        while let Some((_name, v)) = map.next().await {
            total += v;
            tokio::time::sleep(Duration::from_millis(700)).await;
        }
        total
    });
    ready_when(|g| {
        attr(g, NodeKind::Channel, "feed-rare", "sent").is_some_and(|n| n >= 2)
            && examples::waited_on_for(g, NodeKind::Channel, "feed-rare", "recv")
    });
    println!("{}", uploader.await.unwrap());
}
