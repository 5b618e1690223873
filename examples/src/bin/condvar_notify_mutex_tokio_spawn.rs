//! Healthy control: the condition-variable pattern built from a `Notify`
//! and a `Mutex`, tasks started with plain `tokio::spawn`.
//!
//! Consumers create their `notified()` future and enable it, look at the
//! `queue` under its lock, drop the guard when it is empty, and only then
//! await the notification (so a push in between is not lost). The
//! `producer` pushes a job and calls `notify_one` every hour.
//!
//! Expected: no deadlock (the producer's timer).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::collections::VecDeque;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

/// A queue and the signal that it has something.
struct Jobs {
    queue: Mutex<VecDeque<u64>>,
    pushed: Notify,
}

#[peeps::instrument]
async fn consume(id: usize, jobs: Arc<Jobs>) {
    loop {
        let mut pushed = pin!(jobs.pushed.notified());
        pushed.as_mut().enable();
        let next = jobs.queue.lock().await.pop_front();
        match next {
            Some(job) => println!("consumer {id}: job {job}"),
            None => pushed.await,
        }
    }
}

#[peeps::instrument]
async fn produce(jobs: Arc<Jobs>) {
    for job in 0.. {
        jobs.queue.lock().await.push_back(job);
        jobs.pushed.notify_one();
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("condvar_notify_mutex_tokio_spawn");
    let jobs = Arc::new(Jobs {
        queue: Mutex::new(VecDeque::new()).named("queue"),
        pushed: Notify::new().named("pushed"),
    });
    for id in 1..=3 {
        tokio::spawn(consume(id, jobs.clone()));
    }
    tokio::spawn(produce(jobs));
    ready_when(|g| waiters(g, NodeKind::Notify, "pushed") == 3);
    park().await
}
