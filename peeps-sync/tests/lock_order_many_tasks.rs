//! The lock order with more plain tokio tasks holding locks at once than
//! the table of plain tasks' lists has slots, in a process of its own: the
//! table is the process's, and while it is full another test's plain tasks
//! would find no slot either.
#![cfg(feature = "diagnostics")]

use peeps_graph::Options;
use peeps_graph::analysis::PotentialDeadlock;
use peeps_sync::Mutex;
use std::sync::Arc;

/// The potential deadlocks of this process through locks named with
/// `prefix`.
fn potential_through(prefix: &str) -> Vec<PotentialDeadlock> {
    let snap = peeps_runtime::snapshot();
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    report
        .potential_deadlocks
        .into_iter()
        .filter(|p| p.locks.iter().any(|l| l.name.starts_with(prefix)))
        .collect()
}

/// More plain tasks holding locks at once than the table of plain tasks'
/// lists has slots (1024): those without a slot keep theirs in their
/// thread's list. Every task takes the locks in one order, holding them
/// across `.await`s: no potential deadlock, and none of the tasks hangs;
/// an inversion taken afterwards by two of them is still found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_plain_tasks_holding_locks_than_slots() {
    let outer = Arc::new(Mutex::new(0).named("lo21-outer"));
    let inner: Vec<Arc<Mutex<u64>>> = (0..16)
        .map(|_| Arc::new(Mutex::new(0).named("lo21-inner")))
        .collect();
    let all_hold = Arc::new(tokio::sync::Barrier::new(3000));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..3000 {
        let (outer, inner, all_hold) = (outer.clone(), inner[i % 16].clone(), all_hold.clone());
        tasks.spawn(async move {
            let own = Mutex::new(0u64).named("lo21-own");
            let _own = own.lock().await;
            // Every task holds its own lock at once, across an `.await`.
            all_hold.wait().await;
            let _inner = inner.lock().await;
            tokio::task::yield_now().await;
            let _outer = outer.lock().await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a task");
    }
    let found = potential_through("lo21-");
    assert!(found.is_empty(), "{found:#?}");
    let (a, b) = (
        Arc::new(Mutex::new(0).named("lo21-a")),
        Arc::new(Mutex::new(0).named("lo21-b")),
    );
    for (first, second) in [(a.clone(), b.clone()), (b, a)] {
        tokio::spawn(async move {
            let _x = first.lock().await;
            tokio::task::yield_now().await;
            let _y = second.lock().await;
        })
        .await
        .unwrap();
    }
    let found = potential_through("lo21-");
    assert_eq!(found.len(), 1, "{found:#?}");
}
