//! Deadlock: two transfers lock the same two accounts in opposite order.
//!
//! `transfer-a` locks `acct-1` then `acct-2`; `transfer-b` locks `acct-2`
//! then `acct-1`. A barrier makes the bad interleaving certain: each holds
//! its first lock when it asks for the second. An `audit` task passes the
//! same barrier and then wants `acct-1`: it is not part of the cycle, but
//! it is stuck behind it.
//!
//! Expected: one `certain` deadlock of `transfer-a` and `transfer-b` over
//! mutexes `acct-1` and `acct-2`, with `audit` behind it. Every guard is
//! taken inside the task that holds it, so every edge is certain.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;

type Account = Arc<Mutex<i64>>;

async fn transfer(from: Account, to: Account, started: Arc<Barrier>, amount: i64) {
    let mut from = from.lock().await;
    started.wait().await;
    let mut to = to.lock().await;
    *from -= amount;
    *to += amount;
}

async fn audit(accounts: [Account; 2], started: Arc<Barrier>) -> i64 {
    started.wait().await;
    let mut total = 0;
    for acct in accounts {
        total += *acct.lock().await;
    }
    total
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_order_inversion");
    let acct1: Account = Arc::new(Mutex::new(100).named("acct-1"));
    let acct2: Account = Arc::new(Mutex::new(100).named("acct-2"));
    let started = Arc::new(Barrier::new(3).named("day-started"));

    peeps::spawn_named(
        "transfer-a",
        transfer(acct1.clone(), acct2.clone(), started.clone(), 10),
    );
    peeps::spawn_named(
        "transfer-b",
        transfer(acct2.clone(), acct1.clone(), started.clone(), 20),
    );
    peeps::spawn_named("audit", audit([acct1, acct2], started));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "acct-1") == 2 && waiters(g, NodeKind::Mutex, "acct-2") == 1
    });
    park().await
}
