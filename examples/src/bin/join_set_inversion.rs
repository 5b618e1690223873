//! Deadlock among the tasks of a tokio `JoinSet`: a lock-order inversion
//! between two transfers.
//!
//! `coordinator` runs two transfers in a `JoinSet` and waits for them with
//! `join_next`. One transfer locks `acct-1` then `acct-2`, the other the
//! other way round; a barrier makes the bad interleaving certain.
//!
//! A `JoinSet` spawns each of its futures as a plain tokio task, not
//! through peeps: peeps still sees every lock and guard (a task node for
//! each tokio task, named after its tokio id), but cannot account such a
//! task's waker, so something it does not see might still wake it
//! (DESIGN.md §4: such a deadlock is `probable`). The coordinator's
//! `join_next` is no instrumented wait, but the set keeps the one clone
//! of its waker, which peeps finds from the tasks' join wakers: it waits
//! on both tasks, behind the deadlock.
//!
//! Expected: one `probable` deadlock of two `tokio task <id>` tasks over
//! mutexes `acct-1` and `acct-2`; the coordinator draining the set is behind it.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;
use tokio::task::JoinSet;

type Account = Arc<Mutex<i64>>;

#[peeps::instrument]
async fn transfer(from: Account, to: Account, both_locked: Arc<Barrier>, amount: i64) {
    let mut from = from.lock().await;
    both_locked.wait().await;
    let mut to = to.lock().await;
    *from -= amount;
    *to += amount;
}

#[peeps::instrument]
async fn coordinate(acct1: Account, acct2: Account) {
    let both_locked = Arc::new(Barrier::new(2).named("both-locked"));
    let mut transfers = JoinSet::new();
    transfers.spawn(transfer(
        acct1.clone(),
        acct2.clone(),
        both_locked.clone(),
        10,
    ));
    transfers.spawn(transfer(acct2, acct1, both_locked, 20));
    while let Some(done) = transfers.join_next().await {
        println!("transfer done: {done:?}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_set_inversion");
    let acct1: Account = Arc::new(Mutex::new(100).named("acct-1"));
    let acct2: Account = Arc::new(Mutex::new(100).named("acct-2"));
    peeps::spawn_named("coordinator", coordinate(acct1, acct2));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "acct-1") && waited_on(g, NodeKind::Mutex, "acct-2")
    });
    park().await
}
