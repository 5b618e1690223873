//! Healthy control: the twin of `pool_join_before_closing_jobs`, the
//! pool's shutdown closing the job queue before it awaits the workers.
//!
//! A `Pool` keeps its job sender in an `Option` and its workers'
//! `JoinHandle`s in a `Vec`. Three workers (`worker-1..3`) share the
//! receiver behind a mutex (`jobs-rx`) and receive with its guard held,
//! ending when the channel closes. `shutdown` takes the sender out and
//! drops it, then awaits all workers with `join_all`. The last of the six
//! jobs is a slow one (an hour on a timer): at the snapshot its worker is
//! still at it, the two others have seen the queue close and ended, and
//! the pool's shutdown waits for the busy one. `main` awaits the pool.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{attr, ready_when, waited_on_for};
use futures::future::join_all;
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::time::Duration;

type Queue = Arc<Mutex<mpsc::Receiver<u64>>>;

#[peeps::instrument]
async fn work(queue: Queue) -> u64 {
    let mut done = 0;
    loop {
        let job = queue.lock().await.recv().await;
        match job {
            Some(n) => {
                let cost = if n == 6 { 3600 } else { 0 };
                tokio::time::sleep(Duration::from_secs(cost)).await;
                done += n;
            }
            None => return done,
        }
    }
}

struct Pool {
    jobs: Option<mpsc::Sender<u64>>,
    workers: Vec<peeps::JoinHandle<u64>>,
}

impl Pool {
    fn start(size: usize) -> Pool {
        let (jobs, rx) = mpsc::channel_named("jobs", 16);
        let queue: Queue = Arc::new(Mutex::new(rx).named("jobs-rx"));
        let workers = (1..=size)
            .map(|n| peeps::spawn_named(format!("worker-{n}"), work(queue.clone())))
            .collect();
        Pool {
            jobs: Some(jobs),
            workers,
        }
    }

    async fn submit(&self, job: u64) {
        let jobs = self.jobs.as_ref().expect("the pool is open");
        jobs.send(job).await.expect("the workers are alive");
    }

    async fn shutdown(mut self) -> u64 {
        drop(self.jobs.take());
        join_all(self.workers)
            .await
            .into_iter()
            .map(|r| r.unwrap_or(0))
            .sum()
    }
}

#[peeps::instrument]
async fn run_pool() -> u64 {
    let pool = Pool::start(3);
    for n in 1..=6 {
        pool.submit(n).await;
    }
    pool.shutdown().await
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pool_shutdown_takes_jobs_sender");
    let pool = peeps::spawn_named("pool", run_pool());
    ready_when(|g| {
        let workers: Vec<_> = g
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Task && n.name.starts_with("worker-"))
            .collect();
        attr(g, NodeKind::Channel, "jobs", "received") == Some(6)
            && attr(g, NodeKind::Channel, "jobs", "senders") == Some(0)
            && workers.len() == 1
            && waited_on_for(g, NodeKind::Task, &workers[0].name, "join")
            && waited_on_for(g, NodeKind::Task, "pool", "join")
    });
    let total = pool.await.expect("the pool does not panic");
    println!("total {total}");
}
