//! Healthy control: the lock-order inversion of `tokio_select_inversion`,
//! with a third branch of the `tokio::select!`: a timer of an hour.
//!
//! `sync` races `push` (locks `local` then `remote`) against `pull` (locks
//! `remote` then `local`) and against giving up after an hour. Both lock
//! branches wait for the lock the other holds, but when the timer fires the
//! `select!` ends and drops both, with their guards. The timer holds a clone
//! of the task's waker that no instrumented wait accounts for: the task may
//! still wake.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;
use std::time::Duration;

type Replica = Arc<Mutex<Vec<u64>>>;

/// Copies what `local` has that `remote` lacks, holding both.
#[peeps::instrument]
async fn push(local: Replica, remote: Replica, both_locked: Arc<Barrier>) {
    let local = local.lock().await;
    both_locked.wait().await;
    let mut remote = remote.lock().await;
    remote.extend(local.iter().copied());
}

/// Copies what `remote` has that `local` lacks, holding both.
#[peeps::instrument]
async fn pull(local: Replica, remote: Replica, both_locked: Arc<Barrier>) {
    let remote = remote.lock().await;
    both_locked.wait().await;
    let mut local = local.lock().await;
    local.extend(remote.iter().copied());
}

#[peeps::instrument]
async fn sync(local: Replica, remote: Replica) {
    let both_locked = Arc::new(Barrier::new(2).named("both-locked"));
    tokio::select! {
        () = push(local.clone(), remote.clone(), both_locked.clone()) => println!("pushed first"),
        () = pull(local, remote, both_locked) => println!("pulled first"),
        () = tokio::time::sleep(Duration::from_secs(3600)) => println!("gave up after an hour"),
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("tokio_select_timer");
    let local: Replica = Arc::new(Mutex::new(vec![1, 2]).named("local"));
    let remote: Replica = Arc::new(Mutex::new(vec![3]).named("remote"));
    peeps::spawn_named("sync", sync(local, remote));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "local") == 1 && waiters(g, NodeKind::Mutex, "remote") == 1
    });
    park().await
}
