//! Deadlock: a `lock_owned` guard, read once, handed to an instrumented
//! worker started with plain `tokio::spawn`; the worker keeps it until a
//! oneshot says go, and the spawner locks the mutex again before it sends.
//!
//! `rebalancer` (`peeps::spawn_named`, its body instrumented) takes
//! `ledger`, logs the balance, spawns `hold_until_told(guard, wait)` and
//! then locks `ledger` again; the worker waits on oneshot `go`, whose
//! sender `rebalancer` holds.
//!
//! Expected: one deadlock (probable or certain) of `rebalancer` and the
//! worker (a plain tokio task) over mutex `ledger` and oneshot `go`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, oneshot};
use std::sync::Arc;

#[peeps::instrument]
async fn hold_until_told(guard: OwnedMutexGuard<u64>, go: oneshot::Receiver<()>) {
    let _ = go.await;
    println!("releasing at {}", *guard);
}

#[peeps::instrument]
async fn rebalance(ledger: Arc<Mutex<u64>>) {
    let guard = ledger.clone().lock_owned().await;
    println!("balance {}", *guard);
    let (go, wait) = oneshot::channel_named("go");
    tokio::spawn(hold_until_told(guard, wait));
    let mut again = ledger.lock().await;
    *again += 1;
    let _ = go.send(());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_to_worker_awaiting_relocker");
    let ledger = Arc::new(Mutex::new(100).named("ledger"));
    peeps::spawn_named("rebalancer", rebalance(ledger));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "ledger", "lock")
            && waited_on_for(g, NodeKind::Channel, "go", "recv")
    });
    park().await
}
