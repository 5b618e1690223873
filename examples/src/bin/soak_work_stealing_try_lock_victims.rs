//! Healthy, idle between bursts: a work-stealing job runner. Four
//! workers (`peeps::spawn_named("worker-N")`) each own a run queue, a
//! `peeps::sync::Mutex<VecDeque<Job>>` made in one loop and named
//! `run-queue-N`. A worker locks its own queue (`lock().await`) and pops;
//! when it is empty it steals, *still holding its own queue*, from each
//! other queue it can get with `try_lock()` (half of it), so every worker
//! holds its own queue while it try-locks the others, in every order.
//! A `try_lock` never waits, so this cannot deadlock. Results go to
//! `results` (a `Mutex`) once the queue is let go.
//!
//! Idle workers wait on the `work-ready` `Notify` (enabled before they
//! look at the queues). A `scheduler` (`peeps::spawn_named`) pushes a
//! burst of 200 jobs (1-6 ms each) all into `run-queue-0`, then 8 more
//! every 2 s, and `notify_waiters`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (a lock order made only of `try_lock`s cannot close
//! a cycle).

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const WORKERS: usize = 4;

struct Job {
    id: u64,
    cost_ms: u64,
}

struct Runner {
    queues: Vec<Mutex<VecDeque<Job>>>,
    work_ready: Notify,
    results: Mutex<Vec<u64>>,
    finished: AtomicU64,
}

impl Runner {
    /// Pops from `me`'s queue, stealing half of another's when it is empty.
    async fn next_job(&self, me: usize) -> Option<Job> {
        let mut mine = self.queues[me].lock().await;
        if let Some(job) = mine.pop_front() {
            return Some(job);
        }
        for (i, queue) in self.queues.iter().enumerate() {
            if i == me {
                continue;
            }
            let Ok(mut theirs) = queue.try_lock() else {
                continue;
            };
            let half = theirs.len().div_ceil(2);
            let at = theirs.len() - half;
            mine.extend(theirs.drain(at..));
            if !mine.is_empty() {
                break;
            }
        }
        mine.pop_front()
    }

    async fn worker(self: Arc<Self>, me: usize) {
        loop {
            let notified = self.work_ready.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let Some(job) = self.next_job(me).await else {
                notified.await;
                continue;
            };
            tokio::time::sleep(Duration::from_millis(job.cost_ms)).await;
            let mut results = self.results.lock().await;
            results.push(job.id);
            if results.len() > 1000 {
                results.clear();
            }
            drop(results);
            self.finished.fetch_add(1, Ordering::Relaxed);
        }
    }

    async fn submit(&self, to: usize, jobs: impl IntoIterator<Item = Job>) {
        self.queues[to].lock().await.extend(jobs);
        self.work_ready.notify_waiters();
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_work_stealing_try_lock_victims");
    let queues = (0..WORKERS)
        .map(|i| Mutex::new(VecDeque::new()).named(format!("run-queue-{i}")))
        .collect();
    let runner = Arc::new(Runner {
        queues,
        work_ready: Notify::new().named("work-ready"),
        results: Mutex::new(Vec::new()).named("results"),
        finished: AtomicU64::new(0),
    });
    for i in 0..WORKERS {
        peeps::spawn_named(format!("worker-{i}"), runner.clone().worker(i));
    }
    let scheduler = runner.clone();
    peeps::spawn_named("scheduler", async move {
        let burst = (0..200).map(|id| Job {
            id,
            cost_ms: 1 + id % 6,
        });
        scheduler.submit(0, burst).await;
        let mut next = 200;
        let mut tick = tokio::time::interval(Duration::from_secs(2));
        tick.tick().await;
        loop {
            tick.tick().await;
            let jobs: Vec<_> = (next..next + 8).map(|id| Job { id, cost_ms: 2 }).collect();
            next += 8;
            scheduler.submit(0, jobs).await;
        }
    });
    let seen = runner.clone();
    ready_when(move |g| {
        seen.finished.load(Ordering::Relaxed) >= 200
            && waiters(g, NodeKind::Notify, "work-ready") == WORKERS
    });
    examples::park().await;
}
