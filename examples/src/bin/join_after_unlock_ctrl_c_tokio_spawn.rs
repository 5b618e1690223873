//! Healthy twin of `join_under_lock_ctrl_c_tokio_spawn`: the scheduler
//! (plain `tokio::spawn`) pops a job under the `jobs` guard, lets it go,
//! then spawns the runner (plain `tokio::spawn`), awaits its tokio
//! `JoinHandle`, and requeues the job; once every 20 ms. A plain
//! `tokio::spawn` waits for `ctrl_c`.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_after_unlock_ctrl_c_tokio_spawn");
    tokio::spawn(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
    let jobs = Arc::new(Mutex::new(VecDeque::from(["reindex", "vacuum"])).named("jobs"));
    let ran = Arc::new(AtomicU64::new(0));
    let counter = ran.clone();
    tokio::spawn(async move {
        loop {
            let Some(job) = jobs.lock().await.pop_front() else {
                return;
            };
            let runner_jobs = jobs.clone();
            let runner = tokio::spawn(async move {
                let queue = runner_jobs.lock().await;
                println!("running {job}, {} queued", queue.len());
            });
            runner.await.expect("the job does not panic");
            jobs.lock().await.push_back(job);
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    ready_when(move |_| ran.load(Ordering::SeqCst) >= 5);
    park().await
}
