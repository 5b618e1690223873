//! Healthy: a config reloader that announces a change while still holding
//! the write lock, under a deadline. A plain `tokio::spawn` reloader
//! write-locks `config` (a peeps `RwLock`), bumps the version and sends it
//! into `config-changes` (capacity 1) under a 1.5 s
//! `tokio::time::timeout`, then lets the lock go and sleeps 100 ms. `main`
//! read-locks `config` every 300 ms to serve a request and drains
//! `config-changes` afterwards: it waits for the read lock while the
//! reloader, holding the write lock, waits for room, until the reloader's
//! timeout lets go.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_config_write_lock_held_notify_timeout_plain");
    let config = Arc::new(RwLock::new(0u64).named("config"));
    let (changes, mut change_rx) = mpsc::channel_named::<u64>("config-changes", 1);
    let reloader_config = config.clone();
    tokio::spawn(async move {
        loop {
            {
                let mut version = reloader_config.write().await;
                *version += 1;
                let _ =
                    tokio::time::timeout(Duration::from_millis(1500), changes.send(*version)).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    ready_when(|snap| {
        examples::waited_on_for(snap, NodeKind::Channel, "config-changes", "send")
            && examples::waited_on(snap, NodeKind::Rwlock, "config")
    });
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        {
            let version = config.read().await;
            std::hint::black_box(*version);
        }
        while let Ok(change) = change_rx.try_recv() {
            std::hint::black_box(change);
        }
    }
}
