//! Deadlock, with the background work part of it: a plain `tokio::spawn`
//! hot-reload task serves `versions` requests: it answers with the next
//! config version, then takes the write lock of the `config` `RwLock` to
//! install it. A request handler (`peeps::spawn_named`, no other peeps
//! annotation) holds a read guard of `config` while it awaits the
//! `JoinHandle` of a `fetch` subtask (`peeps::spawn_named`) that asks the
//! hot-reloader for the version and then reads `config` too. tokio's
//! `RwLock` is fair: the reloader's write waits for the handler's read
//! guard, and fetch's read queues behind that write (the reentrant-read
//! footgun of tokio's RwLock). Current-thread runtime, so the reloader's
//! write is queued before fetch reads.
//!
//! What docs/ownership.md promises: a read guard, a queued writer and a
//! join are all proof, census or not; the reloader is a plain task woken
//! only by its wait: one certain deadlock of `handler` (joins `fetch`),
//! `fetch` (reads `config`, behind the reloader's write) and the reloader
//! (`tokio task N`, writes `config`, read-held by `handler`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::sync::Arc;

struct Config {
    version: u64,
}

type Shared = Arc<RwLock<Config>>;

async fn fetch(config: Shared, versions: mpsc::Sender<oneshot::Sender<u64>>) -> u64 {
    let (tx, rx) = oneshot::channel();
    if versions.send(tx).await.is_err() {
        return 0;
    }
    let next = rx.await.unwrap_or(0);
    let current = config.read().await.version;
    next.max(current)
}

async fn handle(config: Shared, versions: mpsc::Sender<oneshot::Sender<u64>>) {
    let current = config.read().await;
    let fetcher = peeps::spawn_named("fetch", fetch(config.clone(), versions));
    // The bug: the read guard is alive across the join.
    let latest = fetcher.await.expect("fetch does not panic");
    println!("serving with version {} (latest {latest})", current.version);
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("read_guard_join_behind_hot_reload");
    let config: Shared = Arc::new(RwLock::new(Config { version: 1 }).named("config"));
    let (versions, mut requests) = mpsc::channel_named::<oneshot::Sender<u64>>("versions", 8);
    let reload = config.clone();
    tokio::spawn(async move {
        let mut next = 2;
        while let Some(reply) = requests.recv().await {
            let _ = reply.send(next);
            reload.write().await.version = next;
            next += 1;
        }
    });
    peeps::spawn_named("handler", handle(config, versions));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "config", "write")
            && waited_on_for(g, NodeKind::Rwlock, "config", "read")
            && waited_on_for(g, NodeKind::Task, "fetch", "join")
    });
    park().await
}
