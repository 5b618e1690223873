//! Healthy twin of `config_guard_queued_in_job_applier_relocks`:
//! the `scheduler` takes `config.lock_owned()` and sends the
//! `OwnedMutexGuard` inside a `Job::Migrate` to the `applier`, every
//! 400 ms, forever; before it, a `Job::Reload` the applier handles with a
//! 150 ms sleep and no lock. The applier holds the migration's guard
//! across a 200 ms migration, then drops it and answers on `done`. A
//! `status` task reads the config (`config.lock().await`) every 100 ms:
//! it waits behind the guard, while the guard sits in `jobs` unread or
//! is held by the applier.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

struct Config {
    version: u64,
}

enum Job {
    Reload,
    Migrate {
        guard: OwnedMutexGuard<Config>,
        done: oneshot::Sender<u64>,
    },
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_config_guard_in_job_reader_waits");
    let config = Arc::new(Mutex::new(Config { version: 1 }).named("tenant-config"));
    let (jobs_tx, mut jobs_rx) = mpsc::channel_named::<Job>("jobs", 8);
    peeps::spawn_named("applier", async move {
        while let Some(job) = jobs_rx.recv().await {
            match job {
                Job::Reload => tokio::time::sleep(Duration::from_millis(150)).await,
                Job::Migrate { mut guard, done } => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    guard.version += 1;
                    let v = guard.version;
                    drop(guard);
                    let _ = done.send(v);
                }
            }
        }
    });
    let cfg = config.clone();
    peeps::spawn_named("status", async move {
        loop {
            let v = cfg.lock().await.version;
            if v == u64::MAX {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let scheduler = peeps::spawn_named("scheduler", async move {
        loop {
            jobs_tx.send(Job::Reload).await.unwrap();
            let guard = config.clone().lock_owned().await;
            let (done, migrated) = oneshot::channel_named("migrated");
            jobs_tx.send(Job::Migrate { guard, done }).await.unwrap();
            if migrated.await.unwrap() == u64::MAX {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "tenant-config") == 1);
    scheduler.await.unwrap();
}
