//! Deadlock among tasks not spawned through peeps: a lock-order inversion
//! in code that uses peeps' mutexes but still spawns with `tokio::spawn`.
//!
//! The same two transfers as `lock_order_inversion`, spawned with plain
//! `tokio::spawn`. peeps still sees every lock and guard (it makes a task
//! node for each tokio task, named after its tokio id), and it counts such
//! a task's waker clones from tokio's task header: each task's only clone
//! is held by its lock wait, so nothing it does not see can wake it (a
//! task whose waker it cannot count makes such a deadlock `probable`).
//!
//! Expected: one `certain` deadlock of two `tokio task <id>` tasks over
//! mutexes `acct-1` and `acct-2`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;

type Account = Arc<Mutex<i64>>;

async fn transfer(from: Account, to: Account, both_locked: Arc<Barrier>, amount: i64) {
    let mut from = from.lock().await;
    both_locked.wait().await;
    let mut to = to.lock().await;
    *from -= amount;
    *to += amount;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("untracked_lock_inversion");
    let acct1: Account = Arc::new(Mutex::new(100).named("acct-1"));
    let acct2: Account = Arc::new(Mutex::new(100).named("acct-2"));
    let both_locked = Arc::new(Barrier::new(2).named("both-locked"));
    tokio::spawn(transfer(
        acct1.clone(),
        acct2.clone(),
        both_locked.clone(),
        10,
    ));
    tokio::spawn(transfer(acct2, acct1, both_locked, 20));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "acct-1") && waited_on(g, NodeKind::Mutex, "acct-2")
    });
    park().await
}
