//! The fixed twin of `subtask_waits_holding_only_job_permit_plain`
//! (jdx/mise#8976): the parent job lets its `jobs` permit go before it
//! injects the sub-task and waits for it, and acquires a permit again
//! afterwards.
//!
//! Plain `tokio::spawn` throughout; `main` submits `build` (a script, the
//! `lint` sub-task, a script) every round and awaits its `task-done`.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

enum RunEntry {
    Script(&'static str),
    Task(&'static str),
}

struct Job {
    name: &'static str,
    run: Vec<RunEntry>,
    done: oneshot::Sender<()>,
}

async fn run_job(
    job: Job,
    permit: OwnedSemaphorePermit,
    jobs: Arc<Semaphore>,
    sched: mpsc::Sender<Job>,
) {
    let mut permit = Some(permit);
    for entry in job.run {
        match entry {
            RunEntry::Script(script) => {
                let _ = script;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            RunEntry::Task(name) => {
                let (done, finished) = oneshot::channel_named("subtask-done");
                let sub = Job {
                    name,
                    run: vec![RunEntry::Script("cargo clippy")],
                    done,
                };
                // The fix: release the slot while the sub-task runs.
                drop(permit.take());
                if sched.send(sub).await.is_err() {
                    return;
                }
                let _ = finished.await;
                permit = Some(jobs.clone().acquire_owned().await.expect("jobs open"));
            }
        }
    }
    let _ = job.name;
    drop(permit);
    let _ = job.done.send(());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_subtask_releases_job_permit_while_waiting_plain");
    let jobs = Arc::new(Semaphore::new(1).named("jobs"));
    let (sched_tx, mut sched_rx) = mpsc::channel_named::<Job>("sched", 16);
    let injector = sched_tx.clone();
    let slots = jobs.clone();
    tokio::spawn(async move {
        while let Some(job) = sched_rx.recv().await {
            let permit = slots.clone().acquire_owned().await.expect("jobs open");
            tokio::spawn(run_job(job, permit, slots.clone(), injector.clone()));
        }
    });
    for round in 0u32.. {
        let (done, build_done) = oneshot::channel_named("task-done");
        let build = Job {
            name: "build",
            run: vec![
                RunEntry::Script("cargo fetch"),
                RunEntry::Task("lint"),
                RunEntry::Script("cargo build"),
            ],
            done,
        };
        sched_tx.send(build).await.expect("scheduler alive");
        let _ = build_done.await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        if round == 5 {
            ready();
        }
    }
}
