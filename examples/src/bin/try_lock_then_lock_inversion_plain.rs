//! Deadlock: a lock-order inversion whose first lock on one side is taken
//! with `try_lock`. No peeps annotation at all: plain `tokio::spawn` of
//! `async move` blocks.
//!
//! A rebalancer grabs `shard-a` with `try_lock` (skipping the round when
//! it is busy) and then waits for `shard-b`; a migration locks `shard-b`
//! and then waits for `shard-a`. A barrier only makes both take their
//! first lock before either asks for its second.
//!
//! Expected: one `certain` deadlock (plain tokio tasks) of the two tasks
//! over mutexes `shard-a` and `shard-b`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("try_lock_then_lock_inversion_plain");
    let shard_a = Arc::new(Mutex::new(10u64).named("shard-a"));
    let shard_b = Arc::new(Mutex::new(20u64).named("shard-b"));
    let both_locked = Arc::new(Barrier::new(2).named("both-locked"));

    let (a, b, barrier) = (shard_a.clone(), shard_b.clone(), both_locked.clone());
    tokio::spawn(async move {
        let Ok(mut from) = a.try_lock() else {
            return;
        };
        barrier.wait().await;
        let mut to = b.lock().await;
        *from -= 1;
        *to += 1;
    });
    tokio::spawn(async move {
        let mut from = shard_b.lock().await;
        both_locked.wait().await;
        let mut to = shard_a.lock().await;
        *from -= 1;
        *to += 1;
    });

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "shard-a") && waited_on(g, NodeKind::Mutex, "shard-b")
    });
    park().await
}
