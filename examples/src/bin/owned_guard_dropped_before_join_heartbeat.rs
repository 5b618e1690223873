//! Healthy twin of `owned_guard_across_join_heartbeat`: the scheduler
//! (`peeps::spawn_named`) pops a job under a `lock_owned` guard of `jobs`
//! and drops it before it spawns the runner (`peeps::spawn_named`) and
//! awaits its `JoinHandle`, then requeues the job; every 20 ms. A plain
//! `tokio::spawn` heartbeat loop runs on a timer.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Jobs = Arc<Mutex<VecDeque<&'static str>>>;

async fn run_job(jobs: Jobs, job: &'static str) {
    let queue = jobs.lock().await;
    println!("running {job}, {} queued", queue.len());
}

async fn schedule(jobs: Jobs, ran: Arc<AtomicU64>) {
    loop {
        let mut queue = jobs.clone().lock_owned().await;
        let Some(job) = queue.pop_front() else {
            return;
        };
        drop(queue);
        let runner = peeps::spawn_named("job-runner", run_job(jobs.clone(), job));
        runner.await.expect("the job does not panic");
        jobs.lock().await.push_back(job);
        ran.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_dropped_before_join_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let jobs: Jobs = Arc::new(Mutex::new(VecDeque::from(["reindex", "vacuum"])).named("jobs"));
    let ran = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("scheduler", schedule(jobs, ran.clone()));
    ready_when(move |_| ran.load(Ordering::SeqCst) >= 5);
    park().await
}
