//! Healthy control: an actor waiting in `select!` on a `watch` config
//! channel and its `mpsc` inbox at once.
//!
//! `cache` serves lookups from its inbox and picks up a new TTL whenever
//! `config` changes. `reloader` publishes the config, then sleeps an hour
//! before reloading; `client` asks one question, then sleeps an hour
//! before the next. The actor waits on both channels, each with a live
//! sender on a timer.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot, watch};
use std::time::Duration;

struct Lookup {
    key: String,
    reply: oneshot::Sender<Option<String>>,
}

#[peeps::instrument]
async fn serve(mut config: watch::Receiver<u64>, mut inbox: mpsc::Receiver<Lookup>) {
    let mut ttl = *config.borrow_and_update();
    loop {
        tokio::select! {
            changed = config.changed() => {
                if changed.is_err() {
                    return;
                }
                ttl = *config.borrow_and_update();
                println!("ttl now {ttl}");
            }
            lookup = inbox.recv() => {
                let Some(lookup) = lookup else { return };
                let _ = lookup.reply.send(Some(format!("{}:{ttl}", lookup.key)));
            }
        }
    }
}

#[peeps::instrument]
async fn reload(config: watch::Sender<u64>) {
    for ttl in [30, 60, 90] {
        if config.send(ttl).is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[peeps::instrument]
async fn ask(cache: mpsc::Sender<Lookup>) {
    for n in 0.. {
        let (reply, answer) = oneshot::channel();
        let lookup = Lookup {
            key: format!("user-{n}"),
            reply,
        };
        if cache.send(lookup).await.is_err() {
            return;
        }
        println!("{:?}", answer.await);
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("actor_config_select");
    let (config_tx, config_rx) = watch::channel_named("config", 10);
    let (inbox_tx, inbox_rx) = mpsc::channel_named("cache-inbox", 8);
    peeps::spawn_named("cache", serve(config_rx, inbox_rx));
    peeps::spawn_named("reloader", reload(config_tx));
    peeps::spawn_named("client", ask(inbox_tx));

    ready_when(|g| {
        attr(g, NodeKind::Channel, "cache-inbox", "received") == Some(1)
            && waited_on_for(g, NodeKind::Channel, "cache-inbox", "recv")
            && waited_on_for(g, NodeKind::Channel, "config", "changed")
    });
    park().await
}
