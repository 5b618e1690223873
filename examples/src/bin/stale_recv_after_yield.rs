//! Deadlock: as `stale_recv_registration`, the task yielding once between
//! the `select!` that left its receive registered and the lock that
//! deadlocks it.
//!
//! `worker` locks `state`, takes an event from `events` if one is waiting (a
//! `biased` `select!` of `poll_recv` against an always-ready branch), yields
//! to the other tasks, then calls `count`, which locks `state` again.
//! `ticker` keeps the sender of `events` and sends once an hour.
//!
//! The receive's wait edge stays in the receiver, last polled in a poll of
//! `worker` before its latest: peeps sees that `worker` no longer polls it,
//! so it offers no way out.
//!
//! Expected: one `certain` deadlock of the single task `worker` on mutex
//! `state`; `ticker` neither in it nor behind it.

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

type State = Arc<Mutex<Vec<u64>>>;

#[peeps::instrument]
async fn count(state: &State) -> u64 {
    state.lock().await.len() as u64
}

#[peeps::instrument]
async fn handle_batch(state: State, mut events: mpsc::Receiver<u64>) {
    let mut batch = state.lock().await;
    // Take an event if one is waiting, without waiting for one.
    tokio::select! {
        biased;
        Some(event) = std::future::poll_fn(|cx| events.poll_recv(cx)) => batch.push(event),
        () = std::future::ready(()) => {}
    }
    // Let the other tasks run before counting.
    tokio::task::yield_now().await;
    let n = count(&state).await;
    batch.push(n);
}

#[peeps::instrument]
async fn tick(events: mpsc::Sender<u64>) {
    let mut n = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        n += 1;
        if events.send(n).await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("stale_recv_after_yield");
    let state: State = Arc::new(Mutex::new(Vec::new()).named("state"));
    let (events, inbox) = mpsc::channel_named("events", 8);
    peeps::spawn_named("ticker", tick(events));
    peeps::spawn_named("worker", handle_batch(state, inbox));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "state")
            && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    park().await
}
