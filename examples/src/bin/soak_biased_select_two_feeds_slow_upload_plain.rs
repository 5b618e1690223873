//! Healthy: a plain `tokio::spawn` uploader reads two feeds, each a peeps
//! receiver wrapped as a stream through `poll_recv` (as tokio-stream's
//! `ReceiverStream` does), in a `biased` `tokio::select!` that prefers
//! `feed-busy`, and uploads each item for 500 ms (a `tokio::time::sleep`).
//! A plain `source` task sends a burst of 10 items into `feed-busy`
//! (capacity 16), then one item into `feed-rare` (capacity 4) 1 s and
//! another 2.5 s later, then pauses 5.5 s. Between bursts the uploader is
//! idle on both streams, so `feed-rare`'s wait stays registered through
//! the burst, and its two items sit unread for seconds while the uploader
//! uploads busy items (5 s). Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{attr, ready_when};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::pin::Pin;
use std::time::Duration;
use tokio_stream::Stream;

type Feed = Pin<Box<dyn Stream<Item = u64> + Send>>;

fn feed(mut rx: mpsc::Receiver<u64>) -> Feed {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_biased_select_two_feeds_slow_upload_plain");
    let (busy_tx, busy_rx) = mpsc::channel_named::<u64>("feed-busy", 16);
    let (rare_tx, rare_rx) = mpsc::channel_named::<u64>("feed-rare", 4);
    tokio::spawn(async move {
        let mut i = 0;
        loop {
            for _ in 0..10 {
                if busy_tx.send(i).await.is_err() {
                    return;
                }
                i += 1;
            }
            for pause in [1000, 1500] {
                tokio::time::sleep(Duration::from_millis(pause)).await;
                if rare_tx.send(i).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(5500)).await;
        }
    });
    let uploader = tokio::spawn(async move {
        let mut busy = feed(busy_rx);
        let mut rare = feed(rare_rx);
        let mut total = 0u64;
        loop {
            let v = tokio::select! {
                biased;
                Some(v) = busy.next() => v,
                Some(v) = rare.next() => v,
                else => break,
            };
            total += v;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        total
    });
    ready_when(|g| {
        attr(g, NodeKind::Channel, "feed-rare", "len").is_some_and(|n| n >= 1)
            && examples::waited_on_for(g, NodeKind::Channel, "feed-rare", "recv")
    });
    println!("{}", uploader.await.unwrap());
}
