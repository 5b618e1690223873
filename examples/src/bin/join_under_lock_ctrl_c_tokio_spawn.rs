//! Deadlock in truth, with an unrelated plain task alive: a scheduler
//! (plain `tokio::spawn` of an `async move` block, no peeps annotation)
//! locks the `jobs` mutex, spawns a runner with plain `tokio::spawn` and
//! awaits its tokio `JoinHandle` before letting go of the guard; the
//! runner starts by locking `jobs` to mark its job as running. A plain
//! `tokio::spawn` waits for `ctrl_c`. Multi-thread runtime.
//!
//! What peeps can see: a tokio `JoinHandle` is not one of its types (only
//! `peeps::spawn`'s are), so the scheduler's join is invisible: it is
//! waiting on nothing peeps knows. The honest answer: no deadlock, and at
//! a short threshold a long wait of the runner (`tokio task N`) on `jobs`,
//! held by the scheduler (`tokio task N`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_under_lock_ctrl_c_tokio_spawn");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let jobs = Arc::new(Mutex::new(VecDeque::from(["reindex", "vacuum"])).named("jobs"));
    tokio::spawn(async move {
        let mut queue = jobs.lock().await;
        let Some(job) = queue.pop_front() else {
            return;
        };
        let runner_jobs = jobs.clone();
        let runner = tokio::spawn(async move {
            let queue = runner_jobs.lock().await;
            println!("running {job}, {} queued", queue.len());
        });
        // The bug: the guard is alive across the join.
        runner.await.expect("the job does not panic");
        queue.push_back(job);
    });
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "jobs", "lock"));
    park().await
}
