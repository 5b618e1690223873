//! HANG: a `scheduler` keeps the tenant config locked for the whole of a
//! migration by taking `config.lock_owned()` and sending the
//! `OwnedMutexGuard` inside a `Job::Migrate` to the `applier` worker (the
//! guard is released when the applier drops the job). Just before, it
//! queued a `Job::Reload`. The applier, handling the reload, reads the
//! current config with `config.lock().await`: the guard it waits for is in
//! the `Migrate` job still unread in its own inbox (`jobs`).
//!
//! Expected: a deadlock of the `applier` with itself: it waits on mutex
//! `tenant-config`, held by a message in `jobs`, which only the applier
//! reads; the `scheduler` (awaiting the migration's `done` oneshot) and
//! `main` behind.

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
    peeps::install_sigusr1("config_guard_queued_in_job_applier_relocks");
    let config = Arc::new(Mutex::new(Config { version: 1 }).named("tenant-config"));
    let (jobs_tx, mut jobs_rx) = mpsc::channel_named::<Job>("jobs", 8);
    let cfg = config.clone();
    peeps::spawn_named("applier", async move {
        while let Some(job) = jobs_rx.recv().await {
            match job {
                Job::Reload => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let current = cfg.lock().await.version;
                    println!("reloaded v{current}");
                }
                Job::Migrate { mut guard, done } => {
                    guard.version += 1;
                    let _ = done.send(guard.version);
                }
            }
        }
    });
    let scheduler = peeps::spawn_named("scheduler", async move {
        jobs_tx.send(Job::Reload).await.unwrap();
        let guard = config.clone().lock_owned().await;
        let (done, migrated) = oneshot::channel_named("migrated");
        jobs_tx.send(Job::Migrate { guard, done }).await.unwrap();
        migrated.await.unwrap()
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "tenant-config") == 1);
    println!("{}", scheduler.await.unwrap());
}
