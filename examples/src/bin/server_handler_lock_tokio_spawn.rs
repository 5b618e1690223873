//! Healthy control: a server that starts one handler per request with
//! plain `tokio::spawn`, each handler an instrumented `async fn` that takes
//! a shared lock across a slow call before it replies on a oneshot.
//!
//! `acceptor` reads `Request`s (each carrying a oneshot reply sender) from
//! `requests` and spawns `handle(req, sessions)` for each. The first
//! handler holds the `sessions` mutex across an hour-long call (a slow
//! backend); the other two wait for the mutex. Three clients each await
//! their reply (`reply-<user>`); the acceptor waits for the next request.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Request {
    user: String,
    reply: oneshot::Sender<u64>,
}

#[peeps::instrument]
async fn handle(req: Request, sessions: Arc<Mutex<HashMap<String, u64>>>) {
    let mut sessions = sessions.lock().await;
    // The slow backend, called with the lock held.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let n = sessions.entry(req.user).or_default();
    *n += 1;
    let _ = req.reply.send(*n);
}

#[peeps::instrument]
async fn accept(mut requests: mpsc::Receiver<Request>) {
    let sessions = Arc::new(Mutex::new(HashMap::new()).named("sessions"));
    while let Some(req) = requests.recv().await {
        tokio::spawn(handle(req, sessions.clone()));
    }
}

#[peeps::instrument]
async fn client(user: &'static str, server: mpsc::Sender<Request>) {
    let (reply, answer) = oneshot::channel_named(format!("reply-{user}"));
    let req = Request {
        user: user.to_owned(),
        reply,
    };
    if server.send(req).await.is_err() {
        return;
    }
    println!("{user}: {:?}", answer.await);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("server_handler_lock_tokio_spawn");
    let (tx, rx) = mpsc::channel_named("requests", 8);
    tokio::spawn(accept(rx));
    for user in ["ann", "bob", "cyd"] {
        tokio::spawn(client(user, tx.clone()));
    }
    drop(tx);
    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "sessions") == 2
            && ["reply-ann", "reply-bob", "reply-cyd"]
                .iter()
                .all(|reply| waiters(g, NodeKind::Channel, reply) == 1)
            && waiters(g, NodeKind::Channel, "requests") == 1
    });
    park().await
}
