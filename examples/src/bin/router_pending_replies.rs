//! Healthy control: a request router keeping each caller's
//! `oneshot::Sender` in a `HashMap` inside an actor, answering it when the
//! backend's response arrives as another message.
//!
//! `router` (a peeps task) reads `router-inbox`: a `Call` files its reply
//! sender under a fresh id and forwards the id to `backend`; a `Done`
//! takes the sender out of the map and answers. The backend answers each
//! job after an hour. Two `client` tasks wait on their replies, the
//! router on its inbox, the backend on its timer.
//!
//! Expected: no deadlock (the backend's timer).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::time::Duration;

/// What the router reads.
enum Msg {
    /// A caller's request and where to answer it.
    Call {
        query: String,
        reply: oneshot::Sender<String>,
    },
    /// The backend's answer to the request filed under `id`.
    Done { id: u64, answer: String },
}

#[peeps::instrument]
async fn route(mut inbox: mpsc::Receiver<Msg>, jobs: mpsc::Sender<(u64, String)>) {
    let mut pending: HashMap<u64, oneshot::Sender<String>> = HashMap::new();
    let mut next_id = 0;
    while let Some(msg) = inbox.recv().await {
        match msg {
            Msg::Call { query, reply } => {
                next_id += 1;
                pending.insert(next_id, reply);
                let _ = jobs.send((next_id, query)).await;
            }
            Msg::Done { id, answer } => {
                if let Some(reply) = pending.remove(&id) {
                    let _ = reply.send(answer);
                }
            }
        }
    }
}

#[peeps::instrument]
async fn serve(mut jobs: mpsc::Receiver<(u64, String)>, router: mpsc::Sender<Msg>) {
    while let Some((id, query)) = jobs.recv().await {
        // A slow backend.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let answer = format!("answer to {query}");
        let _ = router.send(Msg::Done { id, answer }).await;
    }
}

#[peeps::instrument]
async fn call(router: mpsc::Sender<Msg>, query: String) {
    let (reply, answer) = oneshot::channel_named(format!("reply-{query}"));
    let _ = router.send(Msg::Call { query, reply }).await;
    println!("{:?}", answer.await);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("router_pending_replies");
    let (router, inbox) = mpsc::channel_named("router-inbox", 16);
    let (jobs_tx, jobs) = mpsc::channel_named("jobs", 16);
    peeps::spawn_named("router", route(inbox, jobs_tx));
    peeps::spawn_named("backend", serve(jobs, router.clone()));
    for n in 1..=2 {
        peeps::spawn_named(format!("client-{n}"), call(router.clone(), format!("q{n}")));
    }
    drop(router);
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "reply-q1") == 1
            && waiters(g, NodeKind::Channel, "reply-q2") == 1
            && waiters(g, NodeKind::Channel, "router-inbox") == 1
    });
    park().await
}
