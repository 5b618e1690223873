//! Healthy control: `tokio::time::timeout` around a lock acquisition while
//! another task holds the lock across a slow await. Tasks started with
//! plain `tokio::spawn`, their bodies `#[peeps::instrument]` functions.
//!
//! `flusher` holds `session` across an hour-long flush. `heartbeat`
//! tries to lock it under a 2-hour timeout each round, giving up on
//! timeout and trying again; it waits now.
//!
//! Expected: no deadlock (the holder's timer, and the waiter's own).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn flush(session: Arc<Mutex<Vec<String>>>) {
    let mut pending = session.lock().await;
    // A slow disk.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    pending.clear();
}

#[peeps::instrument]
async fn heartbeat(session: Arc<Mutex<Vec<String>>>) {
    loop {
        match tokio::time::timeout(Duration::from_secs(7200), session.lock()).await {
            Ok(mut pending) => pending.push("beat".into()),
            Err(_) => println!("heartbeat: session busy, skipping"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("timeout_lock_while_held_tokio_spawn");
    let session = Arc::new(Mutex::new(Vec::new()).named("session"));
    tokio::spawn(flush(session.clone()));
    // The heartbeat starts once the flush holds the session.
    while session.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::spawn(heartbeat(session));
    ready_when(|g| waiters(g, NodeKind::Mutex, "session") == 1);
    park().await
}
