//! Deadlock: a server files a request's reply sender in a map of pending
//! replies, then waits for a lock the waiting client holds.
//!
//! `client` locks `session`, sends a `Request` carrying the sender of its
//! `reply` oneshot through the `requests` channel, and awaits the reply
//! while still holding the guard. `server` receives the request, files its
//! reply sender in `pending` (a `HashMap` local to the server, keyed by
//! request id) to answer later, and then needs `session` to build the
//! answer: it waits for the client, which waits for the reply sender in
//! the server's map.
//!
//! peeps sees the reply sender move inside the request into the channel
//! and out of it into the server (evidence `received`). Then it goes into
//! the map, on the server's heap, which peeps does not read; but the
//! server's own state keeps the bytes of the request it took the sender
//! out of, so its mark is found there, confirming the holder peeps
//! believed.
//!
//! Expected: one certain deadlock of `client` and `server` over oneshot
//! `reply` and mutex `session`; the reply sender is said to be held by
//! the server, received in a message.

use examples::{ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug)]
struct Request {
    id: u64,
    query: &'static str,
    reply: oneshot::Sender<String>,
}

#[peeps::instrument]
async fn serve(mut requests: mpsc::Receiver<Request>, session: Arc<Mutex<String>>) {
    let mut pending: HashMap<u64, oneshot::Sender<String>> = HashMap::new();
    while let Some(Request { id, query, reply }) = requests.recv().await {
        pending.insert(id, reply);
        let user = session.lock().await.clone();
        if let Some(reply) = pending.remove(&id) {
            let _ = reply.send(format!("{query} for {user}"));
        }
    }
}

#[peeps::instrument]
async fn call(requests: mpsc::Sender<Request>, session: Arc<Mutex<String>>) -> String {
    let mut user = session.lock().await;
    user.push_str(" (active)");
    let (reply, answer) = oneshot::channel_named("reply");
    requests
        .send(Request {
            id: 1,
            query: "balance",
            reply,
        })
        .await
        .expect("server alive");
    answer.await.expect("the server replies")
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reply_sender_pending_map");
    let session = Arc::new(Mutex::new("alice".to_owned()).named("session"));
    let (requests, inbox) = mpsc::channel_named("requests", 8);
    peeps::spawn_named("server", serve(inbox, session.clone()));
    let client = peeps::spawn_named("client", call(requests, session));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "reply", "recv")
            && waited_on(g, NodeKind::Mutex, "session")
            && waited_on_for(g, NodeKind::Task, "client", "join")
    });
    let answer = client.await.expect("the client does not panic");
    println!("{answer}");
}
