//! Deadlock: a futurelock (Oxide RFD 609). A future pinned outside a
//! `select!` queued first for a mutex; the lock is handed to it while its
//! task, no longer polling it, waits for the same mutex.
//!
//! `holder` locks `inventory`. `poller` pins a `discover` future (which
//! locks `inventory` to count it) and races it in a `select!` against a
//! short timer: `discover` queues for the lock, the timer wins. In the
//! timer's branch `poller` tells `holder` to let go and locks `inventory`
//! itself, queued behind `discover`. tokio's mutex is fair: released with
//! waiters, it goes to the first one, `discover`, which `poller` no longer
//! polls (it waits in the branch, `discover` still pinned in its scope).
//! The lock stays handed to `discover` for good, and `poller` waits for it
//! forever.
//!
//! `discover`'s wait was polled with `poller`'s own waker in an earlier
//! poll than `poller`'s latest: peeps calls it abandoned, no way out for
//! `poller`, yet first in the lock's queue.
//!
//! Expected: one `certain` deadlock of the single task `poller` on mutex
//! `inventory`, held by `poller` (handed to its future `discover`, which
//! it no longer polls).

use examples::{abandoned_waits, holders, park, ready_when, waiters};
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
async fn poll_inventory(inventory: Inventory, release: oneshot::Sender<()>) {
    let discover = discover(inventory.clone());
    tokio::pin!(discover);
    tokio::select! {
        hosts = &mut discover => println!("{hosts} hosts"),
        () = tokio::time::sleep(Duration::from_millis(100)) => {
            let _ = release.send(());
            inventory.lock().await.push("new-host");
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_handed");
    let inventory: Inventory = Arc::new(Mutex::new(vec!["db-1"]).named("inventory"));
    let (locked, holder_locked) = oneshot::channel_named("locked");
    let (release, released) = oneshot::channel_named("release");
    peeps::spawn_named("holder", hold(inventory.clone(), locked, released));
    holder_locked.await.expect("the holder locks");
    peeps::spawn_named("poller", poll_inventory(inventory, release));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "inventory") == 2
            && holders(g, NodeKind::Mutex, "inventory").is_empty()
            && abandoned_waits(g, NodeKind::Mutex, "inventory") == 1
    });
    park().await
}
