//! HANG (numaflow-core PR #3361, "drop active_stream sender when awaiting
//! active_stream tasks"): an `AlignedReduceActor` keeps, per open window,
//! an `ActiveStream { message_tx, handle }`; the window's `reduce-window-N`
//! task reads its messages as a stream (`futures::stream::poll_fn` over a
//! peeps receiver, consumed with `StreamExt::next`) and returns its sum
//! when the stream ends. On shutdown the actor drains its map and awaits
//! each `handle` while the drained `ActiveStream` still owns `message_tx`:
//! the reduce task never sees the end of its stream.
//!
//! Expected: a deadlock: `reduce-actor` (joining `reduce-window-0`) and
//! `reduce-window-0` (receiving from `window-0`, whose sender the actor
//! holds); `main` (joining the actor) behind.

use examples::{ready_when, waited_on_for};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::collections::BTreeMap;

enum Msg {
    Data { window: u64, value: u64 },
    Shutdown,
}

struct ActiveStream {
    message_tx: mpsc::Sender<u64>,
    handle: peeps::JoinHandle<u64>,
}

struct AlignedReduceActor {
    active_streams: BTreeMap<u64, ActiveStream>,
}

fn start_window(window: u64) -> ActiveStream {
    let (message_tx, mut rx) = mpsc::channel_named::<u64>(format!("window-{window}"), 16);
    let handle = peeps::spawn_named(format!("reduce-window-{window}"), async move {
        let mut stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let mut sum = 0;
        while let Some(v) = stream.next().await {
            sum += v;
        }
        sum
    });
    ActiveStream { message_tx, handle }
}

impl AlignedReduceActor {
    async fn run(mut self, mut inbox: mpsc::Receiver<Msg>) {
        while let Some(msg) = inbox.recv().await {
            match msg {
                Msg::Data { window, value } => {
                    let s = self
                        .active_streams
                        .entry(window)
                        .or_insert_with(|| start_window(window));
                    let _ = s.message_tx.send(value).await;
                }
                Msg::Shutdown => {
                    self.shutdown().await;
                    return;
                }
            }
        }
    }

    async fn shutdown(&mut self) {
        let active_streams: Vec<_> = std::mem::take(&mut self.active_streams)
            .into_iter()
            .collect();
        for (window_id, active_stream) in active_streams {
            // Bug: `active_stream.message_tx` is still alive here.
            let sum = active_stream.handle.await.unwrap();
            println!("window {window_id}: {sum}");
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reducer_awaits_window_tasks_keeps_message_tx");
    let (tx, rx) = mpsc::channel_named::<Msg>("reduce-actor-inbox", 8);
    let actor = AlignedReduceActor {
        active_streams: BTreeMap::new(),
    };
    let handle = peeps::spawn_named("reduce-actor", actor.run(rx));
    for i in 0..6u64 {
        tx.send(Msg::Data {
            window: i % 2,
            value: i,
        })
        .await
        .unwrap();
    }
    tx.send(Msg::Shutdown).await.unwrap();
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "window-0", "recv")
            && waited_on_for(g, NodeKind::Channel, "window-1", "recv")
            && examples::attr(g, NodeKind::Channel, "reduce-actor-inbox", "received")
                .is_some_and(|n| n >= 7)
    });
    handle.await.unwrap();
}
