//! Healthy, idle after a burst: an app state `Arc<Mutex<State>>`
//! (`app-state`) whose `audit` field is the sender to the audit writer,
//! used in place under the lock (`state.lock().await.audit.send(ev).await`),
//! and replaced by a log rotator with the sender of a fresh writer. Every
//! task is `peeps::spawn_named`.
//!
//! Handlers bump a counter in the state and send an audit event in the
//! same critical section, into `audit-events` (capacity 4). The writer
//! appends each event to `audit-file` (a mutex of its own). `log-rotator`
//! rotates three times 150 ms apart: it makes a new `audit-events`, spawns
//! the next `audit-writer` on the receiver, swaps the sender into the state
//! with `mem::replace` and drops the old one, then joins the old writer
//! (which drains what is left and ends). Then it rotates every 10 minutes.
//! After 30 events each, the handlers sleep 10 minutes: the newest writer
//! waits on its inbox meanwhile.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct State {
    audit: mpsc::Sender<String>,
    requests: u64,
}

async fn audit_writer(mut events: mpsc::Receiver<String>, file: Arc<Mutex<Vec<String>>>) {
    while let Some(event) = events.recv().await {
        let mut file = file.lock().await;
        file.push(event);
        if file.len() > 1000 {
            file.clear();
        }
    }
}

async fn log_rotator(
    state: Arc<Mutex<State>>,
    file: Arc<Mutex<Vec<String>>>,
    first: peeps::JoinHandle<()>,
    rotations: Arc<AtomicU64>,
) {
    let mut previous = first;
    for generation in 1u64.. {
        let pause = if generation <= 3 { 150 } else { 600_000 };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let (tx, rx) = mpsc::channel_named("audit-events", 4);
        let writer = peeps::spawn_named("audit-writer", audit_writer(rx, file.clone()));
        let old = std::mem::replace(&mut state.lock().await.audit, tx);
        drop(old);
        let _ = previous.await;
        previous = writer;
        rotations.fetch_add(1, Ordering::Relaxed);
    }
}

async fn handler(id: u64, state: Arc<Mutex<State>>, handled: Arc<AtomicU64>) {
    loop {
        for n in 0..30 {
            {
                let mut state = state.lock().await;
                state.requests += 1;
                let _ = state.audit.send(format!("handler {id} request {n}")).await;
            }
            handled.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_state_sender_used_under_lock_rotated");
    let file = Arc::new(Mutex::new(Vec::new()).named("audit-file"));
    let (tx, rx) = mpsc::channel_named("audit-events", 4);
    let first = peeps::spawn_named("audit-writer", audit_writer(rx, file.clone()));
    let state = Arc::new(
        Mutex::new(State {
            audit: tx,
            requests: 0,
        })
        .named("app-state"),
    );
    let rotations = Arc::new(AtomicU64::new(0));
    let handled = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "log-rotator",
        log_rotator(state.clone(), file.clone(), first, rotations.clone()),
    );
    for id in 0..4 {
        peeps::spawn_named(
            format!("handler-{id}"),
            handler(id, state.clone(), handled.clone()),
        );
    }
    ready_when(move |_| {
        rotations.load(Ordering::Relaxed) >= 3 && handled.load(Ordering::Relaxed) >= 120
    });
    park().await
}
