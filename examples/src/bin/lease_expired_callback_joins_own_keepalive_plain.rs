//! Deadlock from apache/horaedb#941 ("fix: deadlock when stop keepalive bg
//! task"): when a shard lock's lease expires, the `on_expired` callback runs
//! *in the lease keepalive background task*, and the callback stops the
//! keepalive task and waits for it to finish — that is, the task awaits its
//! own `JoinHandle`.
//!
//! `#[tokio::main]`; `main` acquires a lease on shard 7 and starts its
//! keepalive with plain `tokio::spawn`, keeping the `JoinHandle` in the
//! lease (`Mutex<Option<JoinHandle<()>>>`, a `peeps::sync::Mutex` named
//! `keepalive-handle`) so that `release` can stop it. The keepalive renews
//! every 20 ms; the third renewal finds the lease expired, so the task calls
//! `on_expired`, which calls `stop_keepalive`: it takes the handle out of
//! the lease, sends the stop (a `oneshot` the task itself would read) and
//! awaits the handle.
//!
//! Expected: one certain deadlock of the plain keepalive task with itself
//! (a join of its own handle); `peeps analyze` exits 1.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Set just before the keepalive awaits its own handle (for READY only).
static JOINING: AtomicBool = AtomicBool::new(false);

struct ShardLock {
    shard: u32,
    renewals_left: AtomicU32,
    keepalive: Mutex<Option<(JoinHandle<()>, oneshot::Sender<()>)>>,
}

impl ShardLock {
    /// Renews the lease with the meta server; `false` once it expired.
    async fn renew(&self) -> bool {
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.renewals_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// Stops the keepalive task and waits for it to be gone.
    async fn stop_keepalive(&self) {
        let taken = self.keepalive.lock().await.take();
        if let Some((handle, stop)) = taken {
            let _ = stop.send(());
            // Called from the keepalive task itself: it waits for itself.
            JOINING.store(true, Ordering::SeqCst);
            let _ = handle.await;
        }
    }

    /// The lease expired: the shard is closed and its keepalive stopped.
    async fn on_expired(&self) {
        println!("shard {}: lease expired, closing", self.shard);
        self.stop_keepalive().await;
    }
}

fn start_keepalive(lock: &Arc<ShardLock>) -> (JoinHandle<()>, oneshot::Sender<()>) {
    let (stop_tx, mut stop_rx) = oneshot::channel_named::<()>("keepalive-stop");
    let lock = lock.clone();
    let handle = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stop_rx => break,
                _ = tokio::time::sleep(Duration::from_millis(20)) => {
                    if !lock.renew().await {
                        lock.on_expired().await;
                        break;
                    }
                }
            }
        }
    });
    (handle, stop_tx)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lease_expired_callback_joins_own_keepalive_plain");
    let lock = Arc::new(ShardLock {
        shard: 7,
        renewals_left: AtomicU32::new(2),
        keepalive: Mutex::new(None).named("keepalive-handle"),
    });
    let keepalive = start_keepalive(&lock);
    *lock.keepalive.lock().await = Some(keepalive);
    ready_when(|g| {
        JOINING.load(Ordering::SeqCst)
            && waited_on_for(g, NodeKind::Channel, "keepalive-stop", "recv")
    });
    park().await
}
