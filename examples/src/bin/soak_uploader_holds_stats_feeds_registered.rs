//! Healthy: a `peeps::spawn_named` uploader reads three feeds, each a
//! peeps receiver wrapped as a stream through `poll_recv` (as
//! tokio-stream's `ReceiverStream` does), in a `biased` `tokio::select!`:
//! `feed-events` first, then `feed-busy`, then `feed-rare`. Each busy or
//! rare item is uploaded holding the `upload-stats` mutex across the
//! upload (900 ms, a `tokio::time::sleep`), then pauses 20 ms (a rate limit). A `reporter` task locks
//! `upload-stats` every 300 ms and, under it, sends a report into
//! `feed-events` (capacity 4). A plain `source` sends a burst of 10 items
//! into `feed-busy`, one item into `feed-rare` 1 s later and one 1.5 s
//! after that, then pauses 9.5 s. So during a burst the uploader sleeps
//! holding `upload-stats`, the reporter waits for it, the uploader's
//! `feed-events` wait stays registered (empty: the reporter sends only
//! under the lock) and `feed-rare`'s items sit unread. Every upload ends
//! after 900 ms. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{attr, ready_when};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_stream::Stream;

type Feed = Pin<Box<dyn Stream<Item = u64> + Send>>;

fn feed(mut rx: mpsc::Receiver<u64>) -> Feed {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

async fn upload(stats: &Mutex<u64>, v: u64) {
    let mut g = stats.lock().await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    *g += v;
    drop(g);
    // Rate limit: at most one upload per 920 ms.
    tokio::time::sleep(Duration::from_millis(20)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_uploader_holds_stats_feeds_registered");
    let (busy_tx, busy_rx) = mpsc::channel_named::<u64>("feed-busy", 16);
    let (rare_tx, rare_rx) = mpsc::channel_named::<u64>("feed-rare", 4);
    let (events_tx, events_rx) = mpsc::channel_named::<u64>("feed-events", 4);
    let stats = Arc::new(Mutex::new(0u64).named("upload-stats"));
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
            tokio::time::sleep(Duration::from_millis(9500)).await;
        }
    });
    let st = stats.clone();
    peeps::spawn_named("reporter", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let g = st.lock().await;
            if events_tx.send(*g).await.is_err() {
                break;
            }
            drop(g);
        }
    });
    let uploader = peeps::spawn_named("uploader", async move {
        let mut events = feed(events_rx);
        let mut busy = feed(busy_rx);
        let mut rare = feed(rare_rx);
        let mut reports = 0u64;
        loop {
            tokio::select! {
                biased;
                Some(_e) = events.next() => reports += 1,
                Some(v) = busy.next() => upload(&stats, v).await,
                Some(v) = rare.next() => upload(&stats, v).await,
                else => break,
            }
        }
        reports
    });
    ready_when(|g| {
        attr(g, NodeKind::Channel, "feed-rare", "len").is_some_and(|n| n >= 1)
            && examples::waited_on_for(g, NodeKind::Channel, "feed-rare", "recv")
    });
    println!("{}", uploader.await.unwrap());
}
