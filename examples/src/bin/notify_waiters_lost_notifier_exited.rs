//! Hang: a lost `notify_waiters()` wake-up. A `loader` peeps task loads
//! the config and calls `config_ready.notify_waiters()` (which wakes only
//! the tasks waiting at that moment and stores nothing), then exits. The
//! `server` task is spawned later (after a slow startup step) and calls
//! `config_ready.notified().await`: nobody will ever notify again. `main`
//! awaits the server's `JoinHandle`.
//!
//! Expected: `server` stuck forever on `config-ready`, `main` behind it.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Notify;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("notify_waiters_lost_notifier_exited");
    let config_ready = Arc::new(Notify::new().named("config-ready"));
    let loader = {
        let config_ready = config_ready.clone();
        peeps::spawn_named("loader", async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            config_ready.notify_waiters();
        })
    };
    // a slow startup step before the server starts listening
    tokio::time::sleep(Duration::from_millis(100)).await;
    let server = {
        let config_ready = config_ready.clone();
        peeps::spawn_named("server", async move {
            config_ready.notified().await;
            println!("serving");
        })
    };
    loader.await.unwrap();
    ready_when(|g| waiters(g, NodeKind::Notify, "config-ready") == 1);
    server.await.unwrap();
}
