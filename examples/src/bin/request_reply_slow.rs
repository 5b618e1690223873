//! Healthy control: a request with a oneshot reply channel, served slowly.
//!
//! The most common tokio pattern: `client` creates a oneshot, sends its
//! sender to the `server` actor inside a request, and awaits the reply.
//! `server` takes its time over the request (an hour-long sleep standing in
//! for a slow backend) before replying. Nothing is deadlocked: the server
//! will wake up on its own and reply.
//!
//! The reply sender is created by `client` and moves to `server` inside
//! the request: peeps sees it in the message `client` sends and in the
//! one `server` receives, so it is `server`'s (evidence `received`). The
//! server sleeps on a timer, a wake-up peeps cannot see, so it is not
//! blocked and the client's wait is not stuck. (Attributed to `client`, as
//! it was before peeps followed moves, the reply sender made this a
//! probable deadlock of `client` with itself: a false alarm.)
//!
//! Expected: no deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

#[derive(Debug)]
struct Request {
    key: &'static str,
    reply: oneshot::Sender<usize>,
}

#[peeps::instrument]
async fn serve(mut requests: mpsc::Receiver<Request>) {
    while let Some(Request { key, reply }) = requests.recv().await {
        // A slow backend.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = reply.send(key.len());
    }
}

#[peeps::instrument]
async fn fetch(server: mpsc::Sender<Request>, key: &'static str) -> usize {
    let (reply, answer) = oneshot::channel_named("reply");
    server
        .send(Request { key, reply })
        .await
        .expect("server alive");
    answer.await.expect("server replies")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("request_reply_slow");
    let (server, requests) = mpsc::channel_named("requests", 8);
    peeps::spawn_named("server", serve(requests));
    peeps::spawn_named("client", async move {
        let n = fetch(server, "user:42").await;
        println!("got {n}");
    });

    ready_when(|g| waited_on_for(g, NodeKind::Channel, "reply", "recv"));
    park().await
}
