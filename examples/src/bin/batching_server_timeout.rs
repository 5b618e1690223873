//! Healthy control: a client awaits its reply under
//! `tokio::time::timeout`, from a server that files reply senders in a map
//! and answers in batches.
//!
//! `server` keeps the reply sender of each request in a map of pending
//! requests and answers only once two are pending. `client` sends one
//! request and awaits the reply with a timeout; on a timeout it sends the
//! next request, which completes the batch. Until then the two wait on
//! each other (the client on its reply, whose sender is on the server's
//! heap; the server on its inbox, whose sender the client holds), but the
//! client's timer ends that.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::time::Duration;

/// How many requests the server answers at once.
const BATCH: usize = 2;

struct Request {
    id: u64,
    reply: oneshot::Sender<String>,
}

#[peeps::instrument]
async fn serve(mut inbox: mpsc::Receiver<Request>) {
    let mut pending: HashMap<u64, oneshot::Sender<String>> = HashMap::new();
    while let Some(req) = inbox.recv().await {
        pending.insert(req.id, req.reply);
        if pending.len() >= BATCH {
            for (id, reply) in pending.drain() {
                let _ = reply.send(format!("answer {id}"));
            }
        }
    }
}

#[peeps::instrument]
async fn call(server: mpsc::Sender<Request>) {
    for id in 0.. {
        let (reply, answer) = oneshot::channel_named("answer");
        if server.send(Request { id, reply }).await.is_err() {
            return;
        }
        match tokio::time::timeout(Duration::from_secs(60), answer).await {
            Ok(answer) => println!("{answer:?}"),
            Err(_) => println!("request {id} timed out, going on"),
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("batching_server_timeout");
    let (tx, rx) = mpsc::channel_named("requests", 8);
    peeps::spawn_named("server", serve(rx));
    peeps::spawn_named("client", call(tx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "answer", "recv")
            && waited_on_for(g, NodeKind::Channel, "requests", "recv")
    });
    park().await
}
