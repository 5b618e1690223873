//! Deadlock: a lock-order inversion between two branches of one
//! `tokio::select!`.
//!
//! `sync` races pushing its replica's changes against pulling the remote's,
//! in a `tokio::select!` that stops at whichever finishes first. `push` locks `local`
//! then `remote`; `pull` locks `remote` then `local`; a barrier between the
//! two locks makes the bad interleaving certain. Both branches are polled
//! by the same task, each waits for the lock the other branch holds: the
//! task deadlocks with itself.
//!
//! `tokio::select!` polls its branches with the task's own waker, so each branch's
//! lock wait holds a clone of it, accounted as any wait of the task is.
//!
//! Expected: one `certain` deadlock of the single task `sync` over mutexes
//! `local` and `remote`, a branch waiting for a lock held by its own task.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;

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
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("tokio_select_inversion");
    let local: Replica = Arc::new(Mutex::new(vec![1, 2]).named("local"));
    let remote: Replica = Arc::new(Mutex::new(vec![3]).named("remote"));
    peeps::spawn_named("sync", sync(local, remote));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "local") == 1 && waiters(g, NodeKind::Mutex, "remote") == 1
    });
    park().await
}
