//! Deadlock in truth, with unrelated background work alive: a scheduler
//! (`peeps::spawn_named`, no other peeps annotation) takes the `jobs`
//! mutex with `lock_owned` (the guard type people reach for to pass a
//! lock around), pops a job, spawns a runner (`peeps::spawn_named`) that
//! starts by locking `jobs`, and awaits the runner's `JoinHandle` with the
//! owned guard still alive. `main` also runs a plain `tokio::spawn`
//! heartbeat loop on a timer. Multi-thread runtime.
//!
//! What docs/ownership.md promises: the join waits on the runner itself
//! (proof), but an owned guard is a movable handle, made by the scheduler
//! and found in its state, which the census (the heartbeat is a task
//! peeps cannot see into) makes no proof: no deadlock; at a short
//! threshold, a long wait of `job-runner` on `jobs` whose guard was last
//! seen with `scheduler`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

type Jobs = Arc<Mutex<VecDeque<&'static str>>>;

async fn run_job(jobs: Jobs, job: &'static str) {
    let queue = jobs.lock().await;
    println!("running {job}, {} queued", queue.len());
}

async fn schedule(jobs: Jobs) {
    let mut queue = jobs.clone().lock_owned().await;
    let Some(job) = queue.pop_front() else {
        return;
    };
    let runner = peeps::spawn_named("job-runner", run_job(jobs, job));
    // The bug: the owned guard is alive across the join.
    runner.await.expect("the job does not panic");
    queue.push_back(job);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_across_join_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let jobs: Jobs = Arc::new(Mutex::new(VecDeque::from(["reindex", "vacuum"])).named("jobs"));
    peeps::spawn_named("scheduler", schedule(jobs));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "jobs", "lock")
            && waited_on_for(g, NodeKind::Task, "job-runner", "join")
    });
    park().await
}
