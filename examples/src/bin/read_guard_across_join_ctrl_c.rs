//! Deadlock, with an unrelated plain task alive: a reloader
//! (`peeps::spawn_named`, no other peeps annotation) takes a read guard of
//! the `config` `RwLock` to look at the current version, spawns a refresher
//! (`peeps::spawn_named`) that takes the write lock to store the next one,
//! and awaits the refresher's `JoinHandle` with the read guard still alive
//! (it logs the old version afterwards). `main` also runs a plain
//! `tokio::spawn` that waits for `ctrl_c`. Multi-thread runtime.
//!
//! What docs/ownership.md promises: a lock guard stays proof whatever the
//! census says, and a join waits on the joined task itself (no handle to
//! move): one certain deadlock of `reloader` (joins `refresher`) and
//! `refresher` (waits to write `config`, read-held by `reloader`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::sync::Arc;

struct Config {
    version: u64,
    upstream: String,
}

async fn refresh(config: Arc<RwLock<Config>>, version: u64) {
    let mut c = config.write().await;
    c.version = version;
    c.upstream = format!("10.0.0.{version}");
}

async fn reload(config: Arc<RwLock<Config>>) {
    let current = config.read().await;
    let next = current.version + 1;
    let refresher = peeps::spawn_named("refresher", refresh(config.clone(), next));
    // The bug: `current` (a read guard) is still alive across the join.
    refresher.await.expect("refresh does not panic");
    println!(
        "reloaded from version {} ({})",
        current.version, current.upstream
    );
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("read_guard_across_join_ctrl_c");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let config = Arc::new(
        RwLock::new(Config {
            version: 1,
            upstream: "10.0.0.1".into(),
        })
        .named("config"),
    );
    peeps::spawn_named("reloader", reload(config));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "config", "write")
            && waited_on_for(g, NodeKind::Task, "refresher", "join")
    });
    park().await
}
