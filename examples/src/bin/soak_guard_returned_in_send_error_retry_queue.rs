//! Healthy: a `scheduler` locks the `tenant-config` with `lock_owned()`
//! and sends the `OwnedMutexGuard` inside a `Job` to this generation's
//! `applier`; but the applier has already exited (its receiver dropped),
//! so `send` fails and hands the job back in `SendError`. The scheduler
//! files the job (with the guard) in its retry queue, sleeps 400 ms
//! (backoff), gives up and drops the queue, which releases the lock. A
//! `status` task reads the config every 100 ms, waiting behind the guard
//! meanwhile. Forever, a new channel per round.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, mpsc};
use std::sync::Arc;
use std::time::Duration;

struct Job {
    guard: OwnedMutexGuard<u64>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_guard_returned_in_send_error_retry_queue");
    let config = Arc::new(Mutex::new(1u64).named("tenant-config"));
    let cfg = config.clone();
    peeps::spawn_named("status", async move {
        loop {
            let v = *cfg.lock().await;
            if v == u64::MAX {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let scheduler = peeps::spawn_named("scheduler", async move {
        loop {
            let (jobs_tx, jobs_rx) = mpsc::channel_named::<Job>("jobs", 4);
            peeps::spawn_named("applier", async move {
                drop(jobs_rx); // failed to start
            })
            .await
            .unwrap();
            let guard = config.clone().lock_owned().await;
            let mut retry = Vec::new();
            if let Err(mpsc::error::SendError(job)) = jobs_tx.send(Job { guard }).await {
                retry.push(job);
            }
            tokio::time::sleep(Duration::from_millis(400)).await; // backoff
            if let Some(mut job) = retry.pop() {
                *job.guard += 1;
            }
            drop(retry);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "tenant-config") == 1);
    scheduler.await.unwrap();
}
