//! Healthy control: a `Mutex` held across `tokio::time::sleep` by a
//! periodic flusher while request handlers wait for it.
//!
//! The `flusher` locks the event `buffer` and holds it across its write
//! (a timer: an hour) before clearing it. Each request handler locks its
//! `sessions` table, then the buffer to record an event; one handler
//! holds `sessions` while it waits for the buffer, the other waits for
//! `sessions`. Plain `tokio::spawn` tasks, instrumented bodies.
//!
//! Expected: no deadlock, no potential deadlock (one lock order:
//! `sessions` then `buffer`).

use examples::{holders, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn flush(buffer: Arc<Mutex<Vec<String>>>) {
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        tick.tick().await;
        let mut events = buffer.lock().await;
        if events.is_empty() {
            continue;
        }
        // The write to storage, with the buffer locked.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        events.clear();
    }
}

#[peeps::instrument]
async fn handle(
    user: &'static str,
    sessions: Arc<Mutex<HashMap<&'static str, u64>>>,
    buffer: Arc<Mutex<Vec<String>>>,
) {
    let mut table = sessions.lock().await;
    *table.entry(user).or_default() += 1;
    buffer.lock().await.push(format!("{user} logged in"));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("flusher_lock_across_sleep_tokio_spawn");
    let buffer = Arc::new(Mutex::new(vec!["boot".to_owned()]).named("buffer"));
    let sessions = Arc::new(Mutex::new(HashMap::new()).named("sessions"));
    tokio::spawn(flush(buffer.clone()));
    while holders(&peeps::snapshot(), NodeKind::Mutex, "buffer").is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for user in ["ann", "bob"] {
        tokio::spawn(handle(user, sessions.clone(), buffer.clone()));
    }

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "buffer", "lock")
            && waited_on_for(g, NodeKind::Mutex, "sessions", "lock")
    });
    park().await
}
