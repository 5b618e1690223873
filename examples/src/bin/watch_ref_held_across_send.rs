//! Deadlock: a `watch::Ref` from `borrow()` kept in a `let` while the same
//! task calls `send()` on that watch (tokio#4246).
//!
//! The `config-manager` task applies endpoint updates to a `watch`
//! configuration. It borrows the current value to compare, and sends the
//! new one while `current` is still alive: tokio's watch sender takes the
//! write side of the blocking lock the `Ref` holds the read side of, so
//! the send blocks the worker thread forever. A `watcher` waits for the
//! change that never comes.
//!
//! Expected: one `certain` deadlock of `config-manager` with itself over
//! channel `config` (its send waits on its own read guard), a blocking
//! poll; `watcher` behind it.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, watch};

#[derive(Clone, Debug, Default)]
struct Config {
    version: u64,
    endpoints: Vec<String>,
}

#[peeps::instrument]
async fn apply_updates(config: watch::Sender<Config>, mut updates: mpsc::Receiver<Vec<String>>) {
    while let Some(endpoints) = updates.recv().await {
        let current = config.borrow();
        if current.endpoints != endpoints {
            let next = Config {
                version: current.version + 1,
                endpoints,
            };
            // `current` is still borrowed: this blocks forever.
            if config.send(next).is_err() {
                return;
            }
        }
    }
}

#[peeps::instrument]
async fn watch_config(mut config: watch::Receiver<Config>) {
    while config.changed().await.is_ok() {
        let version = config.borrow_and_update().version;
        println!("config version {version}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("watch_ref_held_across_send");
    let (config, watcher) = watch::channel_named("config", Config::default());
    let (updates, inbox) = mpsc::channel_named("updates", 4);
    peeps::spawn_named("watcher", watch_config(watcher));
    peeps::spawn_named("config-manager", apply_updates(config, inbox));
    let _ = updates
        .send(vec!["10.0.0.1:80".to_owned(), "10.0.0.2:80".to_owned()])
        .await;

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "config", "write")
            && waited_on_for(g, NodeKind::Channel, "config", "changed")
    });
    // Keeps `updates` open: the manager is not waiting for it.
    let _updates = updates;
    park().await
}
