//! Healthy twin of `reducer_awaits_window_tasks_keeps_message_tx`
//! (numaflow-core PR #3361, fixed): the `reduce-actor` drops each
//! `ActiveStream`'s `message_tx` before awaiting its `handle`. Each
//! `reduce-window-N` task reads its messages as a stream
//! (`futures::stream::poll_fn` over a peeps receiver, `StreamExt::next`)
//! and, once the stream ends, flushes for 250 ms (a sleep) before it
//! returns. `main` sends a few values per window every 100 ms and closes
//! all windows every 4th round, forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::collections::BTreeMap;
use std::time::Duration;

enum Msg {
    Data { window: u64, value: u64 },
    CloseAll,
}

struct ActiveStream {
    message_tx: mpsc::Sender<u64>,
    handle: peeps::JoinHandle<u64>,
}

struct AlignedReduceActor {
    active_streams: BTreeMap<u64, ActiveStream>,
}

fn start_window(window: u64) -> ActiveStream {
    let (message_tx, mut rx) = mpsc::channel_named::<u64>(format!("window-{}", window % 2), 16);
    let handle = peeps::spawn_named(format!("reduce-window-{}", window % 2), async move {
        let mut stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
        let mut sum = 0;
        while let Some(v) = stream.next().await {
            sum += v;
        }
        tokio::time::sleep(Duration::from_millis(250)).await; // flush
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
                Msg::CloseAll => self.close_all().await,
            }
        }
    }

    async fn close_all(&mut self) {
        let active_streams: Vec<_> = std::mem::take(&mut self.active_streams)
            .into_iter()
            .collect();
        for (window_id, active_stream) in active_streams {
            drop(active_stream.message_tx);
            let sum = active_stream.handle.await.unwrap();
            if window_id % 1000 == 0 && sum == u64::MAX {
                println!("window {window_id}: {sum}");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reducer_drops_message_tx_before_join");
    let (tx, rx) = mpsc::channel_named::<Msg>("reduce-actor-inbox", 8);
    let actor = AlignedReduceActor {
        active_streams: BTreeMap::new(),
    };
    let _actor = peeps::spawn_named("reduce-actor", actor.run(rx));
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "reduce-actor-inbox", "received")
            .is_some_and(|n| n >= 30)
            && (waited_on_for(g, NodeKind::Channel, "window-0", "recv")
                || waited_on_for(g, NodeKind::Channel, "reduce-actor-inbox", "recv"))
    });
    let mut round = 0u64;
    loop {
        let base = (round / 4) * 2;
        for i in 0..4u64 {
            tx.send(Msg::Data {
                window: base + i % 2,
                value: i,
            })
            .await
            .unwrap();
        }
        round += 1;
        if round.is_multiple_of(4) {
            tx.send(Msg::CloseAll).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
