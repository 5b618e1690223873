//! Deadlock from the sync/async bridge of many bug reports, the
//! `spawn_blocking` way (`sync_bridge_std_thread` with a `std::thread`): a
//! `spawn_blocking` worker (the loop of a sync library) reads requests with
//! `blocking_recv` and answers each with `blocking_send` on a bounded
//! `replies` channel; the async client (`peeps::spawn_named`, no other
//! annotation) sends all its requests before it reads any reply. Both
//! channels hold one message: the worker blocks sending the second reply
//! (the client reads none yet), the client blocks sending the fourth
//! request (the worker reads none more).
//!
//! Expected: a certain deadlock of the client and the worker thread, on
//! `requests` and `replies`: the worker's thread is one peeps cannot see
//! into, but it is parked in a peeps wait, so whatever it holds it cannot
//! act.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

async fn client() {
    let (requests, mut inbox) = mpsc::channel_named::<u32>("requests", 1);
    let (answers, mut replies) = mpsc::channel_named::<u32>("replies", 1);
    tokio::task::spawn_blocking(move || {
        while let Some(n) = inbox.blocking_recv() {
            if answers.blocking_send(n * 2).is_err() {
                return;
            }
        }
    });
    for n in 0..8 {
        requests.send(n).await.expect("the worker is alive");
    }
    while let Some(answer) = replies.recv().await {
        println!("answer {answer}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("sync_bridge_spawn_blocking");
    peeps::spawn_named("client", client());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "requests", "send")
            && waited_on_for(g, NodeKind::Channel, "replies", "send")
    });
    park().await
}
