//! Deadlock: a worker pool's graceful shutdown awaits the workers before
//! closing their job queue.
//!
//! `pool` makes the `jobs` channel and three workers (`worker-1..3`),
//! which share its receiver behind a mutex (`jobs-rx`), the pool of the
//! Rust book: each worker locks the receiver and receives its next job
//! with the guard held (`queue.lock().await.recv().await`), and ends when
//! the channel closes. The pool sends six jobs, then shuts down by
//! awaiting all its workers with `join_all`, meaning the queue to drain;
//! it never drops its sender (`drop(jobs)` is missing), so the queue never
//! closes. Once the jobs are done, one worker waits on `jobs` with the
//! receiver's guard, the two others wait for that guard, and the pool
//! waits for all three. `main` awaits the pool.
//!
//! Expected: one `certain` deadlock of `pool` and the three workers over
//! channel `jobs` (its sender used by `pool`, in its state) and mutex
//! `jobs-rx` (held by the receiving worker); `main` is behind it.

use examples::{attr, ready_when, waited_on_for, waiters};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;

type Queue = Arc<Mutex<mpsc::Receiver<u64>>>;

#[peeps::instrument]
async fn work(queue: Queue) -> u64 {
    let mut done = 0;
    loop {
        let job = queue.lock().await.recv().await;
        match job {
            Some(n) => done += n,
            None => return done,
        }
    }
}

#[peeps::instrument]
async fn run_pool() -> u64 {
    let (jobs, rx) = mpsc::channel_named("jobs", 16);
    let queue: Queue = Arc::new(Mutex::new(rx).named("jobs-rx"));
    let workers: Vec<_> = (1..=3)
        .map(|n| peeps::spawn_named(format!("worker-{n}"), work(queue.clone())))
        .collect();
    for n in 1..=6 {
        jobs.send(n).await.expect("the workers are alive");
    }
    // Shutdown: let the workers drain the queue. Missing: drop(jobs);
    join_all(workers)
        .await
        .into_iter()
        .map(|r| r.unwrap_or(0))
        .sum()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_join_before_closing_jobs");
    let pool = peeps::spawn_named("pool", run_pool());
    ready_when(|g| {
        attr(g, NodeKind::Channel, "jobs", "received") == Some(6)
            && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
            && waiters(g, NodeKind::Mutex, "jobs-rx") == 2
            && ["worker-1", "worker-2", "worker-3"]
                .iter()
                .all(|w| waited_on_for(g, NodeKind::Task, w, "join"))
            && waited_on_for(g, NodeKind::Task, "pool", "join")
    });
    let total = pool.await.expect("the pool does not panic");
    println!("total {total}");
}
