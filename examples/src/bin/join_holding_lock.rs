//! Deadlock: a task awaits the JoinHandle of a task that waits for a lock
//! the first one holds.
//!
//! `scheduler` locks `jobs`, spawns `job-runner` to run the next job, and
//! awaits it before letting go of the lock. `job-runner` starts by locking
//! `jobs` to mark its job as running.
//!
//! Expected: one `certain` deadlock of `scheduler` and `job-runner`: the
//! scheduler waits on (joins) the runner, the runner waits on mutex `jobs`
//! held by the scheduler. The joined task is not a resource: `jobs` is the
//! only one.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

type Jobs = Arc<Mutex<VecDeque<&'static str>>>;

#[peeps::instrument]
async fn run_next(jobs: Jobs) {
    let mut queue = jobs.lock().await;
    let Some(job) = queue.pop_front() else {
        return;
    };
    let runner = peeps::spawn_named("job-runner", run_job(jobs.clone(), job));
    runner.await.expect("the job does not panic");
    queue.push_back(job);
}

#[peeps::instrument]
async fn run_job(jobs: Jobs, job: &'static str) {
    let queue = jobs.lock().await;
    println!("running {job}, {} queued", queue.len());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_holding_lock");
    let jobs: Jobs = Arc::new(Mutex::new(VecDeque::from(["reindex", "vacuum"])).named("jobs"));
    peeps::spawn_named("scheduler", run_next(jobs));

    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "jobs") && waited_on(g, NodeKind::Task, "job-runner")
    });
    park().await
}
