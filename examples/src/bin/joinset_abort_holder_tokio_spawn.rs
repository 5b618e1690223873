//! Healthy control: a tokio `JoinSet` whose task is aborted while it holds
//! a lock, the next worker taking the lock after it.
//!
//! Three `migrate` workers (plain tokio tasks, instrumented) take turns
//! holding `db` across an hour-long step. `supervisor` (a peeps task)
//! aborts the first worker to take the lock, reaps it with `join_next`,
//! and waits for the rest. The aborted task's guard is dropped with it;
//! a second worker now holds `db` across its step and the third waits.
//!
//! Expected: no deadlock (the holder's timer).

use examples::{holders, park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

/// Set once the supervisor has reaped the aborted worker.
static REAPED: AtomicBool = AtomicBool::new(false);

#[peeps::instrument]
async fn migrate(id: usize, db: Arc<Mutex<Vec<usize>>>, locked: Option<oneshot::Sender<()>>) {
    let mut rows = db.lock().await;
    if let Some(locked) = locked {
        let _ = locked.send(());
    }
    // A slow migration step.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    rows.push(id);
}

#[peeps::instrument]
async fn supervise(db: Arc<Mutex<Vec<usize>>>) {
    let mut workers = JoinSet::new();
    let (locked, first_locked) = oneshot::channel_named("first-locked");
    let first = workers.spawn(migrate(1, db.clone(), Some(locked)));
    first_locked.await.expect("the first worker locks");
    for id in 2..=3 {
        workers.spawn(migrate(id, db.clone(), None));
    }
    tokio::task::yield_now().await;
    first.abort();
    while let Some(done) = workers.join_next().await {
        println!(
            "worker done: cancelled={}",
            done.is_err_and(|e| e.is_cancelled())
        );
        REAPED.store(true, Ordering::Release);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_abort_holder_tokio_spawn");
    let db = Arc::new(Mutex::new(Vec::new()).named("db"));
    peeps::spawn_named("supervisor", supervise(db));
    ready_when(|g| {
        REAPED.load(Ordering::Acquire)
            && !holders(g, NodeKind::Mutex, "db").is_empty()
            && waiters(g, NodeKind::Mutex, "db") == 1
    });
    park().await
}
