//! The fixed twin of `lease_expired_callback_joins_own_keepalive_plain`
//! (apache/horaedb#941): the expiry callback only signals the keepalive to
//! stop and does not wait for it; the keepalive task leaves its loop on its
//! own. Only `release`, called from `main`, awaits the handle.
//!
//! `main` runs generations: it acquires a lease, starts the plain keepalive
//! (renewing every 20 ms), and every other generation the lease expires
//! after a few renewals (the callback runs in the keepalive task), while the
//! other generations `main` releases it after 150 ms, stopping the keepalive
//! and awaiting its handle.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

struct ShardLock {
    shard: u32,
    renewals_left: AtomicU32,
    keepalive: Mutex<Option<(JoinHandle<()>, oneshot::Sender<()>)>>,
}

impl ShardLock {
    async fn renew(&self) -> bool {
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.renewals_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    /// The fix: signal the stop, do not wait for the keepalive task (it may
    /// be the caller).
    async fn signal_stop(&self) {
        let taken = self.keepalive.lock().await.take();
        if let Some((_handle, stop)) = taken {
            let _ = stop.send(());
        }
    }

    /// Releases the lease from outside the keepalive: stop it and wait.
    async fn release(&self) {
        let taken = self.keepalive.lock().await.take();
        if let Some((handle, stop)) = taken {
            let _ = stop.send(());
            let _ = handle.await;
        }
    }

    async fn on_expired(&self) {
        println!("shard {}: lease expired, closing", self.shard);
        self.signal_stop().await;
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
    peeps::install_sigusr1("soak_lease_expired_callback_signals_keepalive_stop_plain");
    for generation in 0u32.. {
        let expires = generation % 2 == 0;
        let lock = Arc::new(ShardLock {
            shard: generation,
            renewals_left: AtomicU32::new(if expires { 3 } else { u32::MAX }),
            keepalive: Mutex::new(None).named("keepalive-handle"),
        });
        let keepalive = start_keepalive(&lock);
        *lock.keepalive.lock().await = Some(keepalive);
        tokio::time::sleep(Duration::from_millis(150)).await;
        lock.release().await;
        if generation == 2 {
            ready();
        }
    }
}
