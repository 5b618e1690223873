//! Healthy control: a configuration reloaded through a `watch` channel,
//! its readers holding `borrow()` only long enough to copy what they need.
//!
//! `reloader` (a peeps task) publishes a new `config` every hour. Three
//! `reader` tasks each copy the limit out of `borrow()` (the read guard
//! dropped at the end of the statement), record it in the shared `stats`
//! mutex, and wait for the next change.
//!
//! Expected: no deadlock, nothing stuck forever (the reloader's timer).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, watch};
use std::sync::Arc;
use std::time::Duration;

/// What the readers need from the configuration.
#[derive(Clone, Debug)]
struct Config {
    limit: usize,
    version: u64,
}

#[peeps::instrument]
async fn reload(config: watch::Sender<Config>) {
    for version in 1.. {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        config.send_modify(|c| {
            c.limit += 1;
            c.version = version;
        });
    }
}

#[peeps::instrument]
async fn read_config(id: usize, mut config: watch::Receiver<Config>, stats: Arc<Mutex<Vec<u64>>>) {
    loop {
        let (limit, version) = {
            let current = config.borrow_and_update();
            (current.limit, current.version)
        };
        stats.lock().await.push(version);
        println!("reader {id}: limit {limit} (v{version})");
        if config.changed().await.is_err() {
            return;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("watch_config_reload");
    let (tx, rx) = watch::channel_named(
        "config",
        Config {
            limit: 8,
            version: 0,
        },
    );
    let stats = Arc::new(Mutex::new(Vec::new()).named("stats"));
    for id in 1..=3 {
        peeps::spawn_named(
            format!("reader-{id}"),
            read_config(id, rx.clone(), stats.clone()),
        );
    }
    drop(rx);
    peeps::spawn_named("reloader", reload(tx));
    ready_when(|g| waiters(g, NodeKind::Channel, "config") == 3);
    park().await
}
