//! Deadlock, under steady load (a twin of the multiplexers): the reader
//! completes a reply while holding the pending map's async lock and
//! waits, still holding it, for the caller to acknowledge delivery. A
//! caller (`peeps::spawn_named("caller")`) files its `reply` sender in
//! `pending` (a `peeps::sync::Mutex<HashMap>`), sends the id into
//! `outgoing`, awaits the reply, then locks `pending` again (to count
//! what is still in flight) before it acknowledges on `acks`. `backend`
//! answers each id on `answers` after 100-300 ms; `mux-reader` locks
//! `pending`, takes the sender out, answers, and awaits the ack with the
//! guard alive. The first reply hangs both. `metrics` keeps ticking every
//! 100 ms; every task is peeps': the census counts none unseen.
//! Multi-thread runtime.
//!
//! Expected, once it hangs, in every dump: one `certain` deadlock of
//! `caller` and `mux-reader`: `caller` waits to lock `pending`, held by
//! `mux-reader`; `mux-reader` waits to receive on `acks`, whose sender
//! `caller` holds; `backend`, waiting to receive on `outgoing` whose
//! sender `caller` holds, is behind it.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<u64>>>>;

#[peeps::instrument]
async fn serve(mut outgoing: mpsc::Receiver<u64>, answers: mpsc::Sender<(u64, u64)>) {
    while let Some(id) = outgoing.recv().await {
        tokio::time::sleep(Duration::from_millis(100 + (id * 37) % 200)).await;
        if answers.send((id, id * 10)).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn read_replies(
    mut answers: mpsc::Receiver<(u64, u64)>,
    mut acks: mpsc::Receiver<u64>,
    pending: Pending,
) {
    while let Some((id, value)) = answers.recv().await {
        let mut map = pending.lock().await;
        if let Some(reply) = map.remove(&id) {
            let _ = reply.send(value);
            // The bug: waiting for the caller with the map still locked.
            if acks.recv().await.is_none() {
                return;
            }
        }
        drop(map);
    }
}

#[peeps::instrument]
async fn call_loop(outgoing: mpsc::Sender<u64>, acks: mpsc::Sender<u64>, pending: Pending) {
    for id in 0u64.. {
        let (reply, answer) = oneshot::channel_named("reply");
        pending.lock().await.insert(id, reply);
        if outgoing.send(id).await.is_err() {
            return;
        }
        let Ok(value) = answer.await else { return };
        let in_flight = pending.lock().await.len();
        std::hint::black_box((value, in_flight));
        if acks.send(id).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn tick_metrics() {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_mux_reader_holds_pending_awaits_ack");
    let pending: Pending = Arc::new(Mutex::new(HashMap::new()).named("pending"));
    let (outgoing, outgoing_rx) = mpsc::channel_named("outgoing", 8);
    let (answers, answers_rx) = mpsc::channel_named("answers", 8);
    let (acks, acks_rx) = mpsc::channel_named("acks", 8);
    peeps::spawn_named("backend", serve(outgoing_rx, answers));
    peeps::spawn_named(
        "mux-reader",
        read_replies(answers_rx, acks_rx, pending.clone()),
    );
    peeps::spawn_named("metrics", tick_metrics());
    peeps::spawn_named("caller", call_loop(outgoing, acks, pending));
    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "pending") && waited_on(g, NodeKind::Channel, "acks")
    });
    examples::park().await
}
