//! Healthy control: a lock held across a long sleep. A long wait, not a
//! deadlock.
//!
//! `refresher` locks `token` and, while holding it, sleeps for an hour
//! (standing in for a slow refresh). Three `request-N` tasks want the
//! token meanwhile and wait for the lock. Their wait is long, but the
//! holder will wake up on its own: its timer is something peeps cannot
//! see, and the waker accounting says so.
//!
//! Expected: no deadlock; with a low `--long-wait-ms`, three long waits on
//! mutex `token`, each held by `refresher`.

use examples::{holders, park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn refresh_forever(token: Arc<Mutex<String>>) {
    let mut generation = 0u64;
    loop {
        let mut token = token.lock().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        generation += 1;
        *token = format!("token-{generation}");
    }
}

#[peeps::instrument]
async fn handle_requests(token: Arc<Mutex<String>>) {
    loop {
        let current = token.lock().await.clone();
        tokio::time::sleep(Duration::from_millis(1 + current.len() as u64 % 3)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_across_sleep");
    let token = Arc::new(Mutex::new(String::from("token-0")).named("token"));
    peeps::spawn_named("refresher", refresh_forever(token.clone()));
    for name in ["request-1", "request-2", "request-3"] {
        peeps::spawn_named(name, handle_requests(token.clone()));
    }

    ready_when(|g| {
        holders(g, NodeKind::Mutex, "token") == ["refresher"]
            && waiters(g, NodeKind::Mutex, "token") == 3
    });
    park().await
}
