//! Deadlock: `main` keeps a `watch::Ref` (a `borrow()` of the config) in a
//! `let` across the `.await` of a reply from the task that publishes the
//! config; that task's `send` waits for the borrow to end (tokio#4246,
//! across two tasks: `watch::Sender::send` takes the value's lock for
//! writing, a live `Ref` holds it for reading).
//!
//! The `config-manager` task owns the `config` watch sender and serves
//! requests on `config-requests`: a `Reload` reloads the file, publishes
//! it with `config.send(..)`, and answers on the request's oneshot. `main`
//! borrows the current config to decide whether the feature it needs is
//! on, and, while that `Ref` is alive, asks the manager to reload and
//! awaits the answer on `reload-reply`. The manager's `send` parks its
//! worker thread on the value's lock.
//!
//! Expected: one deadlock of `thread main` and `config-manager`: main waits
//! to receive on `reload-reply`, its sender received by `config-manager`;
//! `config-manager` waits to write `config`, read-held by `thread main`.
//! `probable`, as `main`'s thread is no peeps task (its wakes are not
//! accounted); `config-manager`'s poll is a blocking poll.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot, watch};

#[derive(Clone, Debug)]
struct Config {
    version: u32,
    fast_path: bool,
}

struct Reload {
    reply: oneshot::Sender<u32>,
}

#[peeps::instrument]
async fn manage_config(config: watch::Sender<Config>, mut requests: mpsc::Receiver<Reload>) {
    while let Some(Reload { reply }) = requests.recv().await {
        let next = Config {
            version: config.borrow().version + 1,
            fast_path: true,
        };
        let version = next.version;
        let _ = config.send(next);
        let _ = reply.send(version);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("watch_borrow_across_reply_in_main");
    let (config_tx, config_rx) = watch::channel_named(
        "config",
        Config {
            version: 1,
            fast_path: false,
        },
    );
    let (requests_tx, requests_rx) = mpsc::channel_named("config-requests", 8);
    peeps::spawn_named("config-manager", manage_config(config_tx, requests_rx));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "reload-reply", "recv")
            && waited_on_for(g, NodeKind::Channel, "config", "write")
    });
    let current = config_rx.borrow();
    if !current.fast_path {
        let (reply, answer) = oneshot::channel_named("reload-reply");
        let _ = requests_tx.send(Reload { reply }).await;
        let version = answer.await.unwrap_or(0);
        println!("reloaded to {version} (was {:?})", *current);
    }
    drop(current);
    park().await
}
