//! Deadlock from jdx/mise#8967 (fixed by #8976, "prevent deadlock when
//! MISE_JOBS=1 with sub-task references"): with one job slot, a task whose
//! `run` array mixes scripts and `{ task = "lint" }` entries injects the
//! sub-task into the scheduler and waits for it while still holding its
//! permit; the scheduler must acquire a permit to start the sub-task. "The
//! parent task acquires the single semaphore permit, then waits for the
//! sub-task which also needs that permit — classic deadlock."
//!
//! `#[tokio::main]`, plain `tokio::spawn` throughout. The scheduler receives
//! jobs on `sched` (an mpsc), acquires an owned permit of `jobs` (a
//! `Semaphore` of 1, `MISE_JOBS=1`) per job and spawns the job with it.
//! `build` runs a script, then injects `lint` with a `subtask-done` oneshot
//! and awaits it; `main` awaits `build`'s own `task-done`.
//!
//! Expected: one deadlock of the plain `build` job (holding the `jobs`
//! permit, waiting on `subtask-done`) and the plain scheduler (holding
//! `lint`, with its `subtask-done` sender, waiting on `jobs`); `thread main`
//! behind, waiting on `task-done`; `peeps analyze` exits 1.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
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

async fn run_job(job: Job, permit: OwnedSemaphorePermit, sched: mpsc::Sender<Job>) {
    for entry in job.run {
        match entry {
            RunEntry::Script(script) => {
                println!("[{}] $ {script}", job.name);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            RunEntry::Task(name) => {
                // inject_and_wait, still holding `permit`.
                let (done, finished) = oneshot::channel_named("subtask-done");
                let sub = Job {
                    name,
                    run: vec![RunEntry::Script("cargo clippy")],
                    done,
                };
                if sched.send(sub).await.is_err() {
                    return;
                }
                let _ = finished.await;
            }
        }
    }
    drop(permit);
    let _ = job.done.send(());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("subtask_waits_holding_only_job_permit_plain");
    let jobs = Arc::new(Semaphore::new(1).named("jobs"));
    let (sched_tx, mut sched_rx) = mpsc::channel_named::<Job>("sched", 16);
    let injector = sched_tx.clone();
    tokio::spawn(async move {
        while let Some(job) = sched_rx.recv().await {
            let permit = jobs.clone().acquire_owned().await.expect("jobs open");
            tokio::spawn(run_job(job, permit, injector.clone()));
        }
    });
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
    ready_when(|g| {
        waited_on_for(g, NodeKind::Semaphore, "jobs", "acquire")
            && waited_on_for(g, NodeKind::Channel, "subtask-done", "recv")
            && waited_on_for(g, NodeKind::Channel, "task-done", "recv")
    });
    let _ = build_done.await;
    println!("build finished");
    park().await
}
