//! Deadlock: a task holding a read guard of an `RwLock` awaits `write()`
//! on the same lock inside a helper fn. No peeps annotation at all: a
//! plain `tokio::spawn` of an `async move` block calling a plain async fn.
//!
//! A session cache: the lookup reads the table, finds the session stale,
//! and calls `refresh`, which takes the write lock, while the read guard
//! of the lookup is still alive in the caller.
//!
//! Expected: one `certain` deadlock (a plain tokio task) of that task
//! with itself over rwlock `sessions`: its write waits for its own read
//! guard.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

type Sessions = Arc<RwLock<HashMap<u64, u64>>>;

async fn refresh(sessions: &Sessions, id: u64, now: u64) {
    sessions.write().await.insert(id, now);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_read_then_write_helper_plain");
    let sessions: Sessions = Arc::new(RwLock::new(HashMap::from([(7, 0)])).named("sessions"));

    tokio::spawn(async move {
        let now = 100;
        let table = sessions.read().await;
        if let Some(&seen) = table.get(&7)
            && now - seen > 60
        {
            // `table` is still alive: the write waits for it.
            refresh(&sessions, 7, now).await;
        }
        println!("{} sessions", table.len());
    });

    ready_when(|g| waited_on_for(g, NodeKind::Rwlock, "sessions", "write"));
    park().await
}
