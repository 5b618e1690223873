//! Healthy control: a server that answers each request from
//! `spawn_blocking` (CPU-heavy work), the reply sender moved into the
//! blocking closure.
//!
//! `client` sends a `Request` carrying a oneshot reply sender to `server`
//! and awaits the reply. The server receives the request and runs it with
//! `tokio::task::spawn_blocking`, which takes an hour (a long computation,
//! a `std::thread::sleep` here) and then replies; the server goes back to
//! its inbox. The client waits on a reply the blocking thread will send.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

struct Request {
    query: String,
    reply: oneshot::Sender<String>,
}

fn handle(req: Request) {
    std::thread::sleep(Duration::from_secs(3600));
    let _ = req.reply.send(format!("rows for {}", req.query));
}

#[peeps::instrument]
async fn serve(mut inbox: mpsc::Receiver<Request>) {
    while let Some(req) = inbox.recv().await {
        tokio::task::spawn_blocking(move || handle(req));
    }
}

#[peeps::instrument]
async fn call(server: mpsc::Sender<Request>) {
    for n in 0.. {
        let (reply, answer) = oneshot::channel_named("answer");
        let query = format!("select {n}");
        if server.send(Request { query, reply }).await.is_err() {
            return;
        }
        println!("{:?}", answer.await);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reply_from_spawn_blocking");
    let (tx, rx) = mpsc::channel_named("requests", 8);
    peeps::spawn_named("server", serve(rx));
    peeps::spawn_named("client", call(tx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "answer", "recv")
            && waited_on_for(g, NodeKind::Channel, "requests", "recv")
    });
    park().await
}
