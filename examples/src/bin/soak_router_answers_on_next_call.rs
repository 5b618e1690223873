//! Deadlock, under steady load (the twin of
//! `soak_router_pending_map_backend`): the router, to batch its answers,
//! keeps the last call's reply sender in a local `Option` (in its own
//! state) and files it in the pending map only when the next call comes
//! in. With one caller, `api` waits for the reply to its call and the
//! router waits for `api`'s next call. The backend keeps ticking and the
//! auditor keeps waiting, both peeps', so the census counts none unseen.
//! Multi-thread runtime.
//!
//! A real deadlock: `api` waits on oneshot `reply` to receive, its sender
//! kept by `router` (received, still in its state); `router` waits on
//! `router-inbox` to receive, its sender with `api`. But the router is back
//! at the channel the sender came in on, and a router that files every
//! sender in a shared map from the same loop
//! (`soak_router_pending_map_backend`) leaves the same bytes in its state,
//! so peeps says, in every dump once it hangs: a long wait of `api` on
//! `reply`, its sender received by `router` in a message from
//! `router-inbox`, which it now waits to receive from again (a limit:
//! docs/ownership.md).

use examples::{attr, ready_when, waited_on_for};
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
    let mut held: Option<(u64, oneshot::Sender<u64>)> = None;
    while let Some(call) = inbox.recv().await {
        if audit.send(call.id).await.is_err() {
            return;
        }
        std::hint::black_box(&call.payload);
        // The bug: the previous call is filed only when the next arrives.
        if let Some((id, reply)) = held.replace((call.id, call.reply)) {
            pending.lock().expect("not poisoned").insert(id, reply);
        }
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
    peeps::install_sigusr1("soak_router_answers_on_next_call");
    let (router, inbox) = mpsc::channel_named("router-inbox", 8);
    let (audit, audit_rx) = mpsc::channel_named("audit", 8);
    let pending: Pending = Arc::default();
    peeps::spawn_named("router", route(inbox, pending.clone(), audit));
    peeps::spawn_named("backend", serve(pending));
    peeps::spawn_named("auditor", drain_audit(audit_rx));
    let answered = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("api", call_loop(router, answered.clone()));
    ready_when(move |g| {
        waited_on_for(g, NodeKind::Channel, "reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "router-inbox", "recv")
            && attr(g, NodeKind::Channel, "router-inbox", "received") == Some(1)
    });
    examples::park().await
}
