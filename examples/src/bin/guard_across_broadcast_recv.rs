//! Deadlock: a task holds a mutex guard across `broadcast::Receiver::recv`
//! while the only sender must take that mutex before it sends.
//!
//! A cluster view: `membership` (`peeps::spawn_named`) locks the member
//! table and waits for the next join event with the guard held; `gossip`
//! records the joiner in the same table (locking it) before broadcasting
//! the event. A barrier only makes `membership` lock first.
//!
//! Expected: one deadlock of `membership` and `gossip` over mutex
//! `members` and broadcast `joins`: `gossip` waits for the guard
//! `membership` holds, and `membership` waits for an event only `gossip`
//! (the sender's only holder, moved in at spawn) would send.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, broadcast};
use std::collections::BTreeSet;
use std::sync::Arc;

type Members = Arc<Mutex<BTreeSet<String>>>;

#[peeps::instrument]
async fn track_membership(
    members: Members,
    mut joins: broadcast::Receiver<String>,
    started: Arc<Barrier>,
) {
    let mut table = members.lock().await;
    started.wait().await;
    // The guard is held while waiting for the next event.
    while let Ok(joined) = joins.recv().await {
        table.insert(joined);
    }
}

#[peeps::instrument]
async fn gossip(members: Members, joins: broadcast::Sender<String>, started: Arc<Barrier>) {
    started.wait().await;
    for node in ["node-b", "node-c"] {
        members.lock().await.insert(node.to_string());
        let _ = joins.send(node.to_string());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_across_broadcast_recv");
    let members: Members = Arc::new(Mutex::new(BTreeSet::new()).named("members"));
    let (joins_tx, joins_rx) = broadcast::channel_named("joins", 8);
    let started = Arc::new(Barrier::new(2).named("started"));
    peeps::spawn_named(
        "membership",
        track_membership(members.clone(), joins_rx, started.clone()),
    );
    peeps::spawn_named("gossip", gossip(members, joins_tx, started));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "members", "lock")
            && waited_on_for(g, NodeKind::Channel, "joins", "recv")
    });
    park().await
}
