//! Deadlock: a tokio-stream `StreamMap` of receivers whose senders are
//! held by the task that awaits the map's task.
//!
//! `coordinator` makes two feeds (`feed-1`, `feed-2`), spawns `mux` with
//! their receivers, and awaits `mux` before closing the feeds: it keeps
//! both senders, never sending. `mux` merges the feeds in a `StreamMap`
//! (each receiver a stream over `poll_recv`, as tokio-stream's
//! `ReceiverStream` is) and runs until every feed ends.
//!
//! `StreamMap` polls its streams with the task's own waker, so each
//! receive holds an accounted clone of it. `mux` waits to receive from two
//! channels whose only senders `coordinator` made and keeps in its state;
//! `coordinator` waits for `mux` to finish.
//!
//! Expected: one `certain` deadlock of `coordinator` and `mux` over
//! channels `feed-1` and `feed-2`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::pin::Pin;
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
    let mut total = 0;
    while let Some((name, value)) = merged.next().await {
        println!("{name}: {value}");
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
    peeps::install_sigusr1("stream_map_cycle");
    peeps::spawn_named("coordinator", coordinate());

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "feed-1", "recv")
            && waited_on_for(g, NodeKind::Channel, "feed-2", "recv")
            && waited_on_for(g, NodeKind::Task, "mux", "join")
    });
    park().await
}
