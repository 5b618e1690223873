//! Deadlock: three tasks lock three accounts in a ring, through nested
//! instrumented fns.
//!
//! Each `transfer-N` task runs `settle(from, to)`, which locks `from` and
//! then calls `credit(to)`, which locks `to`. The ring is
//! `ledger-1 → ledger-2 → ledger-3 → ledger-1`. A barrier makes the bad
//! interleaving certain: all three hold their first lock before any asks
//! for its second.
//!
//! Expected: one `certain` deadlock of the three tasks over the three
//! mutexes; each task's wait is made by `credit` inside `settle`, and the
//! futures are said as the path inside the task, not as members of the
//! cycle.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;

type Ledger = Arc<Mutex<Vec<i64>>>;

#[peeps::instrument]
async fn settle(from: Ledger, to: Ledger, all_started: Arc<Barrier>, amount: i64) {
    let mut from = from.lock().await;
    all_started.wait().await;
    from.push(-amount);
    credit(&to, amount).await;
}

#[peeps::instrument]
async fn credit(to: &Mutex<Vec<i64>>, amount: i64) {
    to.lock().await.push(amount);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_cycle_nested");
    let ledgers: Vec<Ledger> = ["ledger-1", "ledger-2", "ledger-3"]
        .into_iter()
        .map(|name| Arc::new(Mutex::new(Vec::new()).named(name)))
        .collect();
    let all_started = Arc::new(Barrier::new(3).named("all-started"));
    for (i, name) in ["transfer-1", "transfer-2", "transfer-3"]
        .into_iter()
        .enumerate()
    {
        let from = ledgers[i].clone();
        let to = ledgers[(i + 1) % 3].clone();
        peeps::spawn_named(name, settle(from, to, all_started.clone(), 10));
    }

    ready_when(|g| {
        ["ledger-1", "ledger-2", "ledger-3"]
            .iter()
            .all(|name| waited_on(g, NodeKind::Mutex, name))
    });
    park().await
}
