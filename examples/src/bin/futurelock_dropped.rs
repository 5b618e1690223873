//! Healthy control: a future that lost a `select!` is dropped with it (not
//! abandoned), and its task takes the lock later.
//!
//! `holder` locks `inventory` until told to let go. `poller` races a
//! `discover` future (which locks `inventory`) against a short timer in a
//! `select!`, passing it by value: `discover` queues for the lock, the
//! timer wins, and the `select!` drops `discover`, which leaves the lock's
//! queue. `poller` then tells `holder` to let go, locks `inventory` itself
//! and keeps it across an hour-long refresh. `auditor`, started once
//! `poller` has the lock, waits for it.
//!
//! Expected: no deadlock, nothing stuck forever; `auditor` waits (a long
//! wait with a low threshold) for `inventory`, held by `poller`.

use examples::{holders, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::time::Duration;

type Inventory = Arc<Mutex<Vec<&'static str>>>;

/// How many hosts the inventory knows.
#[peeps::instrument]
async fn discover(inventory: Inventory) -> usize {
    inventory.lock().await.len()
}

#[peeps::instrument]
async fn hold(inventory: Inventory, locked: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
    let _guard = inventory.lock().await;
    let _ = locked.send(());
    let _ = release.await;
}

#[peeps::instrument]
async fn poll_inventory(
    inventory: Inventory,
    release: oneshot::Sender<()>,
    locked: oneshot::Sender<()>,
) {
    tokio::select! {
        hosts = discover(inventory.clone()) => println!("{hosts} hosts"),
        () = tokio::time::sleep(Duration::from_millis(100)) => {}
    }
    let _ = release.send(());
    let mut hosts = inventory.lock().await;
    let _ = locked.send(());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    hosts.push("new-host");
}

#[peeps::instrument]
async fn audit(inventory: Inventory, poller_locked: oneshot::Receiver<()>) -> usize {
    poller_locked.await.expect("the poller locks");
    inventory.lock().await.len()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_dropped");
    let inventory: Inventory = Arc::new(Mutex::new(vec!["db-1"]).named("inventory"));
    let (locked, holder_locked) = oneshot::channel_named("holder-locked");
    let (release, released) = oneshot::channel_named("release");
    let (poller_locked, poller_has_it) = oneshot::channel_named("poller-locked");
    peeps::spawn_named("holder", hold(inventory.clone(), locked, released));
    holder_locked.await.expect("the holder locks");
    peeps::spawn_named(
        "poller",
        poll_inventory(inventory.clone(), release, poller_locked),
    );
    peeps::spawn_named("auditor", audit(inventory, poller_has_it));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "inventory", "lock")
            && holders(g, NodeKind::Mutex, "inventory").contains(&"poller")
    });
    park().await
}
