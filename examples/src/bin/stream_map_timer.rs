//! Healthy control: the `StreamMap` of `stream_map_cycle` with a third
//! stream, a heartbeat timer.
//!
//! `coordinator` makes two feeds (`feed-1`, `feed-2`), spawns `mux` with
//! their receivers, and awaits `mux` while keeping both senders. `mux`
//! merges the feeds and a heartbeat (an `IntervalStream` that first ticks
//! in an hour) in a `StreamMap`, and stops at the first heartbeat. The
//! waits on the feeds and the join make a cycle of instrumented waits, but
//! the heartbeat's timer holds a clone of `mux`'s waker that no
//! instrumented wait accounts for: `mux` may still wake, and the cycle
//! ends with it.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::pin::Pin;
use std::time::Duration;
use tokio_stream::wrappers::IntervalStream;
use tokio_stream::{Stream, StreamExt, StreamMap};

/// A feed's messages as a stream.
type Feed = Pin<Box<dyn Stream<Item = u64> + Send>>;

/// The receiver as a stream, as tokio-stream's `ReceiverStream`.
fn feed(mut rx: mpsc::Receiver<u64>) -> Feed {
    Box::pin(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

#[peeps::instrument]
async fn multiplex(feeds: Vec<(&'static str, mpsc::Receiver<u64>)>) -> u64 {
    let mut merged: StreamMap<&'static str, Feed> = StreamMap::new();
    for (name, rx) in feeds {
        merged.insert(name, feed(rx));
    }
    let hour = Duration::from_secs(3600);
    let heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + hour, hour);
    merged.insert(
        "heartbeat",
        Box::pin(IntervalStream::new(heartbeat).map(|_| 0)),
    );
    let mut total = 0;
    while let Some((name, value)) = merged.next().await {
        if name == "heartbeat" {
            println!("no news for an hour");
            break;
        }
        total += value;
    }
    total
}

#[peeps::instrument]
async fn coordinate() {
    let (tx1, rx1) = mpsc::channel_named("feed-1", 8);
    let (tx2, rx2) = mpsc::channel_named("feed-2", 8);
    let mux = peeps::spawn_named("mux", multiplex(vec![("feed-1", rx1), ("feed-2", rx2)]));
    let total = mux.await.expect("mux runs to the end");
    println!("total {total}");
    drop((tx1, tx2));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("stream_map_timer");
    peeps::spawn_named("coordinator", coordinate());

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "feed-1", "recv")
            && waited_on_for(g, NodeKind::Channel, "feed-2", "recv")
            && waited_on_for(g, NodeKind::Task, "mux", "join")
    });
    park().await
}
