//! Healthy, idle: a server task parks its shutdown trigger — a oneshot
//! sender — in a `Mutex<Option<..>>` of the shared state, then awaits the
//! receiver; an admin task would take the sender out and fire it. Each
//! chat session (a `peeps::spawn_named` task) registers its outbox sender
//! in a `RwLock<HashMap>` of the state and reads its outbox.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct AppState {
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    sessions: RwLock<HashMap<u64, mpsc::Sender<String>>>,
}

async fn server(state: Arc<AppState>) {
    let (tx, rx) = oneshot::channel_named("shutdown");
    *state.shutdown.lock().await = Some(tx);
    let _ = rx.await;
    println!("shutting down");
}

async fn session(id: u64, state: Arc<AppState>) {
    let (tx, mut rx) = mpsc::channel_named("outbox", 8);
    state.sessions.write().await.insert(id, tx);
    while let Some(line) = rx.recv().await {
        std::hint::black_box(line);
    }
}

async fn broadcaster(state: Arc<AppState>) {
    for round in 0..3 {
        let targets: Vec<_> = state.sessions.read().await.values().cloned().collect();
        for t in targets {
            let _ = t.send(format!("round {round}")).await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(600)).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_shutdown_sender_in_mutex");
    let state = Arc::new(AppState {
        shutdown: Mutex::new(None).named("shutdown-slot"),
        sessions: RwLock::new(HashMap::new()).named("sessions"),
    });
    let srv = peeps::spawn_named("server", server(state.clone()));
    for id in 0..4 {
        peeps::spawn_named(format!("session-{id}"), session(id, state.clone()));
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    peeps::spawn_named("broadcaster", broadcaster(state.clone()));
    ready_when(|g| waiters(g, NodeKind::Channel, "outbox") >= 4);
    let _ = srv.await;
    park().await
}
