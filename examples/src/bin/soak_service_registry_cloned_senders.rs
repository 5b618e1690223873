//! Healthy, under steady load, written with peeps' own spawns: an
//! in-process service registry. Three services
//! (`peeps::spawn_named("svc-N")`) each make their inbox (`svc-inbox`,
//! capacity 4), file its sender under their name in a shared registry
//! (`Arc<std::sync::Mutex<HashMap<&str, Sender>>>`), and serve queries:
//! each takes 100-500 ms and is answered on the query's `oneshot`
//! (`answer`). Four clients (`peeps::spawn_named("client-N")`) each, in a
//! loop, pause 300-1100 ms, look a service up (a clone of its sender out
//! of the registry), send it a query and await the answer. The services
//! sit idle between queries. Every task is peeps': the census counts none
//! unseen. Multi-thread runtime.
//!
//! Each service's own sender is on the heap (the registry), never used
//! there: the clients send on clones of it. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock, and no long
//! wait (a service waiting for work is idle, a client's wait on `answer`
//! is a receive, the inboxes never fill).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Query {
    n: u64,
    answer: oneshot::Sender<u64>,
}

type Registry = Arc<std::sync::Mutex<HashMap<&'static str, mpsc::Sender<Query>>>>;

#[peeps::instrument]
async fn run_service(name: &'static str, registry: Registry) {
    let (tx, mut inbox) = mpsc::channel_named("svc-inbox", 4);
    registry.lock().expect("not poisoned").insert(name, tx);
    while let Some(q) = inbox.recv().await {
        tokio::time::sleep(Duration::from_millis(100 + (q.n * 397) % 400)).await;
        let _ = q.answer.send(q.n + 1);
    }
}

#[peeps::instrument]
async fn client(registry: Registry, me: u64, answered: Arc<AtomicU64>) {
    let names = ["svc-1", "svc-2", "svc-3"];
    for n in 0u64.. {
        let pause = 300 + ((me * 17 + n) * 131) % 800;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let name = names[((me + n) % 3) as usize];
        let to = registry.lock().expect("not poisoned").get(name).cloned();
        let Some(to) = to else { continue };
        let (answer, answered_rx) = oneshot::channel_named("answer");
        if to.send(Query { n, answer }).await.is_err() {
            return;
        }
        drop(to);
        if answered_rx.await == Ok(n + 1) {
            answered.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_service_registry_cloned_senders");
    let registry: Registry = Arc::default();
    for name in ["svc-1", "svc-2", "svc-3"] {
        peeps::spawn_named(name, run_service(name, registry.clone()));
    }
    let answered = Arc::new(AtomicU64::new(0));
    for (me, name) in [
        (1, "client-1"),
        (2, "client-2"),
        (3, "client-3"),
        (4, "client-4"),
    ] {
        peeps::spawn_named(name, client(registry.clone(), me, answered.clone()));
    }
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 6
            && waited_on_for(g, NodeKind::Channel, "svc-inbox", "recv")
    });
    examples::park().await
}
