//! Healthy control: per-account locks, all made at one site (one class),
//! always taken lowest index first, by many concurrent transfers with an
//! I/O-like pause (a plain `tokio::time::sleep`) between the two locks.
//! No peeps annotation: plain `tokio::spawn` of `async move` blocks on a
//! four-worker runtime.
//!
//! Eight tasks make ten transfers each between pairs of six accounts,
//! locking `min(from, to)` then `max(from, to)`; they contend, so they
//! wait for each other's accounts and resume on whichever worker is free.
//! Once all are done, a last transfer holds account 0 across an hour's
//! pause (before it takes account 5), and another waits for account 0.
//!
//! Expected: no deadlock, no potential deadlock (every pair is locked in
//! one order; docs/lock-order.md, "Locks of one class: nesting").

use examples::{park, ready_when};
use peeps::graph::{EdgeKind, NodeKind, Snapshot};
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

type Accounts = Arc<Vec<Mutex<i64>>>;

async fn transfer(accounts: &Accounts, from: usize, to: usize, pause: Duration) {
    let (first, second) = (from.min(to), from.max(to));
    let mut low = accounts[first].lock().await;
    // Look the payee up.
    tokio::time::sleep(pause).await;
    let mut high = accounts[second].lock().await;
    let amount = if from < to { 1 } else { -1 };
    *low -= amount;
    *high += amount;
}

/// Whether anything waits on an account.
fn account_waited(g: &Snapshot) -> bool {
    g.edges.iter().any(|e| {
        e.kind == EdgeKind::WaitsOn
            && g.nodes
                .iter()
                .any(|n| n.id == e.to && n.kind == NodeKind::Mutex && n.name == "account")
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    peeps::install_sigusr1("accounts_locked_by_index_tokio_spawn");
    let accounts: Accounts = Arc::new((0..6).map(|_| Mutex::new(100).named("account")).collect());
    let mut tellers = Vec::new();
    for t in 0..8usize {
        let accounts = accounts.clone();
        tellers.push(tokio::spawn(async move {
            for k in 0..10usize {
                let from = (t + k) % 6;
                let to = (t * 5 + k * 7 + 1) % 6;
                if from != to {
                    transfer(&accounts, from, to, Duration::from_millis(2)).await;
                }
            }
        }));
    }
    for teller in tellers {
        teller.await.expect("a teller");
    }
    let slow = accounts.clone();
    tokio::spawn(async move { transfer(&slow, 5, 0, Duration::from_secs(3600)).await });
    while accounts[0].try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move { transfer(&accounts, 0, 3, Duration::from_millis(2)).await });
    ready_when(account_waited);
    park().await
}
