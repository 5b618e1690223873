//! Deadlock: a task holding a mutex guard awaits `notify.notified()`,
//! while the only notifier must lock that mutex before `notify_one()`.
//!
//! A job queue of a `Mutex<VecDeque>` and a `Notify` (tokio tasks, their
//! bodies instrumented). The consumer locks the queue and, finding it
//! empty, waits for `pushed` with the guard still held; the producer
//! locks the queue to push, then would notify. A barrier only makes the
//! consumer lock first.
//!
//! Expected: one `probable` deadlock (plain tokio tasks; a `Notify` can
//! be notified by anyone who has it) of the consumer and the producer
//! over mutex `queue` and notify `pushed`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, Notify};
use std::collections::VecDeque;
use std::sync::Arc;

struct JobQueue {
    jobs: Mutex<VecDeque<u64>>,
    pushed: Notify,
}

#[peeps::instrument]
async fn consume(queue: Arc<JobQueue>, started: Arc<Barrier>) {
    let mut jobs = queue.jobs.lock().await;
    started.wait().await;
    loop {
        while let Some(job) = jobs.pop_front() {
            println!("job {job}");
        }
        // The guard is still held while waiting for a push.
        queue.pushed.notified().await;
    }
}

#[peeps::instrument]
async fn produce(queue: Arc<JobQueue>, started: Arc<Barrier>) {
    started.wait().await;
    for job in 1..=3 {
        queue.jobs.lock().await.push_back(job);
        queue.pushed.notify_one();
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("guard_across_notified_tokio_spawn");
    let queue = Arc::new(JobQueue {
        jobs: Mutex::new(VecDeque::new()).named("queue"),
        pushed: Notify::new().named("pushed"),
    });
    let started = Arc::new(Barrier::new(2).named("started"));
    tokio::spawn(consume(queue.clone(), started.clone()));
    tokio::spawn(produce(queue, started));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Notify, "pushed", "notified")
            && waited_on_for(g, NodeKind::Mutex, "queue", "lock")
    });
    park().await
}
