//! Deadlock: `actors_call_each_other` with its actors started by plain
//! `tokio::spawn`: two actors, each handling a request by calling the
//! other and awaiting its reply before reading its own inbox again.
//!
//! `orders` and `billing` each own an inbox of `Request`s carrying a
//! oneshot reply sender. To answer a request that needs a check, an
//! actor sends a request of its own to the other actor and awaits the
//! answer. `main` queues one such request in each inbox before the actors
//! start: each actor's question then sits unread in the other's inbox,
//! since the other is busy awaiting its own answer.
//!
//! The inboxes are made in `main`, which moves each receiver into its
//! actor and a sender of the other's inbox along with it.
//!
//! Expected: one `probable` deadlock of the two actors (named after their
//! tokio ids, not spawned through peeps), each waiting for the reply (its
//! oneshot `<name>-call`) whose sender is in an unread message on the
//! other's inbox; `main`, awaiting its own replies, is stuck behind it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};

struct Request {
    /// Whether answering needs a question to the other actor first.
    check: bool,
    reply: oneshot::Sender<u64>,
}

#[peeps::instrument]
async fn actor(
    name: &'static str,
    mut inbox: mpsc::Receiver<Request>,
    peer: mpsc::Sender<Request>,
) {
    let mut answered = 0;
    while let Some(req) = inbox.recv().await {
        if req.check {
            let (tx, rx) = oneshot::channel_named(format!("{name}-call"));
            let question = Request {
                check: false,
                reply: tx,
            };
            if peer.send(question).await.is_err() {
                return;
            }
            answered += rx.await.unwrap_or(0);
        }
        answered += 1;
        let _ = req.reply.send(answered);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actors_call_each_other_tokio_spawn");
    let (orders_tx, orders_rx) = mpsc::channel_named("orders-inbox", 8);
    let (billing_tx, billing_rx) = mpsc::channel_named("billing-inbox", 8);
    // Both requests are queued before the actors start.
    let (a_tx, a_rx) = oneshot::channel_named("place-order");
    let (b_tx, b_rx) = oneshot::channel_named("charge");
    let _ = orders_tx
        .send(Request {
            check: true,
            reply: a_tx,
        })
        .await;
    let _ = billing_tx
        .send(Request {
            check: true,
            reply: b_tx,
        })
        .await;
    tokio::spawn(actor("orders", orders_rx, billing_tx.clone()));
    tokio::spawn(actor("billing", billing_rx, orders_tx.clone()));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "orders-call", "recv")
            && waited_on_for(g, NodeKind::Channel, "billing-call", "recv")
            && waited_on_for(g, NodeKind::Channel, "place-order", "recv")
            && waited_on_for(g, NodeKind::Channel, "charge", "recv")
    });
    let (a, b) = tokio::join!(a_rx, b_rx);
    println!("{a:?} {b:?}");
    park().await
}
