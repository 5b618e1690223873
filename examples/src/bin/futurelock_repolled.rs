//! Healthy control: a future pinned outside a `select!` that its task will
//! poll again later; meanwhile the lock is handed to it and another task
//! waits for the lock.
//!
//! `auditor` locks `inventory`. `poller` pins a `discover` future (which
//! locks `inventory`) and races it against a short timer: `discover`
//! queues for the lock, the timer wins. `poller` tells `auditor` to let
//! go, then waits an hour (a backoff) before it awaits `discover` again.
//! `auditor` drops its guard and locks `inventory` again: tokio's fair
//! mutex went to `discover`, first in the queue, so `auditor` waits behind
//! it. `discover` is not polled now, but `poller` waits on a timer peeps
//! cannot see: it will wake, poll `discover`, take the lock and let it go.
//!
//! Expected: no deadlock, nothing stuck forever; `auditor` waits (a long
//! wait with a low threshold) for `inventory`, handed to `poller`.

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
async fn audit(inventory: Inventory, locked: oneshot::Sender<()>, go: oneshot::Receiver<()>) {
    let guard = inventory.lock().await;
    let _ = locked.send(());
    let _ = go.await;
    drop(guard);
    let hosts = inventory.lock().await.len();
    println!("{hosts} hosts");
}

#[peeps::instrument]
async fn poll_inventory(inventory: Inventory, go: oneshot::Sender<()>) {
    let discover = discover(inventory);
    tokio::pin!(discover);
    tokio::select! {
        hosts = &mut discover => println!("{hosts} hosts"),
        () = tokio::time::sleep(Duration::from_millis(100)) => {}
    }
    let _ = go.send(());
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let hosts = discover.await;
    println!("{hosts} hosts");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futurelock_repolled");
    let inventory: Inventory = Arc::new(Mutex::new(vec!["db-1"]).named("inventory"));
    let (locked, auditor_locked) = oneshot::channel_named("locked");
    let (go, went) = oneshot::channel_named("go");
    peeps::spawn_named("auditor", audit(inventory.clone(), locked, went));
    auditor_locked.await.expect("the auditor locks");
    peeps::spawn_named("poller", poll_inventory(inventory, go));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "inventory") == 2
            && holders(g, NodeKind::Mutex, "inventory").is_empty()
            && abandoned_waits(g, NodeKind::Mutex, "inventory") == 1
    });
    park().await
}
