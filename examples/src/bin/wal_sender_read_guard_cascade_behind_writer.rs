//! HANG (neon #12875, "Cascading priority deadlock in Safekeeper via
//! `acquire_term()` returning long-lived RwLock ReadGuard"): the
//! `wal-sender` task gets a read guard of the timeline's `shared-state`
//! (a peeps `RwLock`) from `acquire_term()` and keeps it while it streams
//! WAL to the pageserver connection, waiting for each batch's ack. The
//! `wal-acceptor` queues for a write (to record a new commit) meanwhile.
//! The `pageserver-conn` task, to ack a batch, reads `shared-state` (the
//! current commit LSN): tokio's `RwLock` is fair, so that read queues
//! behind the writer, which waits for the wal-sender's read guard.
//!
//! Expected: a deadlock of `wal-sender` (waiting on the `acks` channel,
//! sender held by `pageserver-conn`), `pageserver-conn` (reading
//! `shared-state` behind the queued writer) and `wal-acceptor` (writing,
//! behind the wal-sender's read guard); `main` behind.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, RwLockReadGuard, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct SharedState {
    term: u64,
    commit_lsn: u64,
}

struct Timeline {
    shared_state: RwLock<SharedState>,
}

impl Timeline {
    /// Ensures the term is `t` and locks the state (the guard is returned).
    async fn acquire_term(&self, t: u64) -> RwLockReadGuard<'_, SharedState> {
        let s = self.shared_state.read().await;
        assert_eq!(s.term, t);
        s
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("wal_sender_read_guard_cascade_behind_writer");
    let tl = Arc::new(Timeline {
        shared_state: RwLock::new(SharedState {
            term: 7,
            commit_lsn: 0,
        })
        .named("shared-state"),
    });
    let (wal_tx, mut wal_rx) = mpsc::channel_named::<u64>("wal-stream", 4);
    let (ack_tx, mut ack_rx) = mpsc::channel_named::<u64>("acks", 4);
    let t = tl.clone();
    peeps::spawn_named("pageserver-conn", async move {
        while let Some(lsn) = wal_rx.recv().await {
            tokio::time::sleep(Duration::from_millis(30)).await; // apply the batch
            let commit = t.shared_state.read().await.commit_lsn;
            if ack_tx.send(lsn.max(commit)).await.is_err() {
                break;
            }
        }
    });
    let t = tl.clone();
    let sender = peeps::spawn_named("wal-sender", async move {
        let state = t.acquire_term(7).await;
        let mut lsn = state.commit_lsn;
        loop {
            lsn += 8192;
            wal_tx.send(lsn).await.unwrap();
            let acked = ack_rx.recv().await.unwrap();
            if acked == u64::MAX {
                break;
            }
        }
        drop(state);
    });
    let t = tl.clone();
    peeps::spawn_named("wal-acceptor", async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut s = t.shared_state.write().await;
        s.commit_lsn += 1;
    });
    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "shared-state") == 2
            && waited_on_for(g, NodeKind::Channel, "acks", "recv")
    });
    sender.await.unwrap();
}
