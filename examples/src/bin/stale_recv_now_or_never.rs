//! Deadlock: a task that once polled a receiver with `now_or_never` (leaving
//! its registration with the channel) then locks a mutex it holds.
//!
//! `worker` locks `state`, takes an event from `events` if one is waiting
//! (`poll_recv` polled once through `now_or_never`, as
//! `ReceiverStream::next().now_or_never()` would), yields to the other
//! tasks, then calls `count`, which locks `state` again: tokio's mutex is not
//! reentrant. `ticker` keeps the sender of `events` and sends once an hour.
//!
//! The receive was polled with `now_or_never`'s no-op waker and returned
//! `Pending`: peeps' receiver keeps the receive's wait edge until the next
//! poll or receive, which never comes. That wait holds no clone of
//! `worker`'s waker: nothing sent on `events` can even wake `worker`, let
//! alone release it. It must not count as a way out.
//!
//! Expected: one `certain` deadlock of the single task `worker` on mutex
//! `state`; `ticker` neither in it nor behind it.

use examples::{park, ready_when, waited_on, waited_on_for};
use futures::FutureExt;
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
    if let Some(Some(event)) = std::future::poll_fn(|cx| events.poll_recv(cx)).now_or_never() {
        batch.push(event);
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
    peeps::install_sigusr1("stale_recv_now_or_never");
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
