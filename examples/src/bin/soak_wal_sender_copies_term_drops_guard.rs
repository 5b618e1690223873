//! Healthy twin of `wal_sender_read_guard_cascade_behind_writer`
//! (neon #12875, fixed): the `wal-sender` copies what it needs out of
//! `acquire_term()`'s read guard and drops it before streaming, taking a
//! short read per batch. The `wal-acceptor` writes a commit every 50 ms
//! and holds the write guard across a 40 ms fsync (a sleep); the
//! `pageserver-conn` reads the commit LSN for each ack. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
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
    async fn acquire_term(&self, t: u64) -> RwLockReadGuard<'_, SharedState> {
        let s = self.shared_state.read().await;
        assert_eq!(s.term, t);
        s
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_wal_sender_copies_term_drops_guard");
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
        let mut lsn = t.acquire_term(7).await.commit_lsn;
        loop {
            lsn = lsn.max(t.shared_state.read().await.commit_lsn) + 8192;
            wal_tx.send(lsn).await.unwrap();
            let acked = ack_rx.recv().await.unwrap();
            if acked == u64::MAX {
                break;
            }
        }
    });
    let t = tl.clone();
    peeps::spawn_named("wal-acceptor", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut s = t.shared_state.write().await;
            tokio::time::sleep(Duration::from_millis(40)).await; // fsync
            s.commit_lsn += 1;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Rwlock, "shared-state") >= 1);
    sender.await.unwrap();
}
