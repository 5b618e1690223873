//! Healthy, under steady load, written with peeps' own spawns: a request
//! router. `api` (`peeps::spawn_named`) sends `Call`s (an id, a 64-byte
//! payload and a `oneshot` reply sender) into `router-inbox` and awaits
//! each reply, in a loop. `router` receives a call, writes its id to
//! `audit` (an `.await`, so the call lives in its state across it), then
//! files the reply sender in a shared pending map (`Arc<std::sync::Mutex<
//! HashMap>>`) and receives again. `backend` wakes every 1.2 s, takes every
//! pending sender out of the map and answers. `auditor` drains `audit`.
//! Every task is peeps': the census counts none unseen. Multi-thread
//! runtime.
//!
//! The reply sender is on the heap (the map), not with `router`: the
//! call's bytes it was moved out of may stay in the router's state, and
//! the one waiting for the backend's next tick is always the last one
//! filed. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; `api`'s wait on its reply is an honest long wait.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Call {
    id: u64,
    payload: [u8; 64],
    reply: oneshot::Sender<u64>,
}

type Pending = Arc<std::sync::Mutex<HashMap<u64, oneshot::Sender<u64>>>>;

#[peeps::instrument]
async fn route(mut inbox: mpsc::Receiver<Call>, pending: Pending, audit: mpsc::Sender<u64>) {
    while let Some(call) = inbox.recv().await {
        if audit.send(call.id).await.is_err() {
            return;
        }
        std::hint::black_box(&call.payload);
        pending
            .lock()
            .expect("not poisoned")
            .insert(call.id, call.reply);
    }
}

#[peeps::instrument]
async fn serve(pending: Pending) {
    let mut tick = tokio::time::interval(Duration::from_millis(1200));
    loop {
        tick.tick().await;
        let ready: Vec<(u64, oneshot::Sender<u64>)> =
            pending.lock().expect("not poisoned").drain().collect();
        for (id, reply) in ready {
            let _ = reply.send(id * 10);
        }
    }
}

#[peeps::instrument]
async fn drain_audit(mut audit: mpsc::Receiver<u64>) {
    while let Some(id) = audit.recv().await {
        std::hint::black_box(id);
    }
}

#[peeps::instrument]
async fn call_loop(router: mpsc::Sender<Call>, answered: Arc<AtomicU64>) {
    for id in 0u64.. {
        let (reply, answer) = oneshot::channel_named("reply");
        let call = Call {
            id,
            payload: [id as u8; 64],
            reply,
        };
        if router.send(call).await.is_err() {
            return;
        }
        if answer.await.is_err() {
            return;
        }
        answered.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_router_pending_map_backend");
    let (router, inbox) = mpsc::channel_named("router-inbox", 8);
    let (audit, audit_rx) = mpsc::channel_named("audit", 8);
    let pending: Pending = Arc::default();
    peeps::spawn_named("router", route(inbox, pending.clone(), audit));
    peeps::spawn_named("backend", serve(pending));
    peeps::spawn_named("auditor", drain_audit(audit_rx));
    let answered = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("api", call_loop(router, answered.clone()));
    let seen = answered.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 2 && waited_on_for(g, NodeKind::Channel, "reply", "recv")
    });
    examples::park().await
}
