//! Healthy control: one channel sender shared by several tasks through an
//! `Arc`'d state, the way an axum app shares its `AppState`.
//!
//! `AppState` holds the `events` sender and the `summary` mutex, and every
//! task gets an `Arc<AppState>`. `aggregator` owns the receiver; it locks
//! `summary` and folds events into it until a flush event arrives.
//! `request` sends an event through the shared sender and then wants to
//! read `summary`, so it waits for the aggregator. `flusher` sends the
//! flush event through the same shared sender once an hour. Nothing is
//! deadlocked: the flusher will wake up on its own, the aggregator will
//! let go of the lock, and the request will finish.
//!
//! There is one `Sender` here, used by two tasks from shared memory (the
//! `Arc`'d state, not either task's own state). A use from shared memory
//! proves nothing about who will use the sender next: peeps marks it
//! `shared` and never counts it as a releaser. (Counting the last user,
//! `request`, as its holder once made this a certain deadlock of
//! `aggregator` and `request`: a false alarm.)
//!
//! Expected: no deadlock.

use examples::{holders, park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug)]
enum Event {
    Hit(&'static str),
    Flush,
}

#[derive(Debug)]
struct AppState {
    events: mpsc::Sender<Event>,
    summary: Mutex<Vec<&'static str>>,
}

#[peeps::instrument]
async fn aggregate(state: Arc<AppState>, mut events: mpsc::Receiver<Event>) {
    loop {
        let mut summary = state.summary.lock().await;
        while let Some(event) = events.recv().await {
            match event {
                Event::Hit(path) => summary.push(path),
                Event::Flush => break,
            }
        }
        summary.clear();
    }
}

#[peeps::instrument]
async fn handle_request(state: Arc<AppState>) -> usize {
    state
        .events
        .send(Event::Hit("/index"))
        .await
        .expect("aggregator alive");
    state.summary.lock().await.len()
}

#[peeps::instrument]
async fn flush_hourly(state: Arc<AppState>) {
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = state.events.send(Event::Flush).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shared_sender_in_state");
    let (events, inbox) = mpsc::channel_named("events", 64);
    let state = Arc::new(AppState {
        events,
        summary: Mutex::new(Vec::new()).named("summary"),
    });
    peeps::spawn_named("aggregator", aggregate(state.clone(), inbox));
    peeps::spawn_named("flusher", flush_hourly(state.clone()));
    // The request comes once the aggregator holds the summary.
    while holders(&peeps::snapshot(), NodeKind::Mutex, "summary") != ["aggregator"] {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    peeps::spawn_named("request", handle_request(state));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "summary")
            && holders(g, NodeKind::Channel, "events").contains(&"request")
    });
    park().await
}
