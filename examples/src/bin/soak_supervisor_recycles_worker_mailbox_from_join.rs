//! Healthy, under steady load: a supervisor that recycles its worker
//! after every 25 jobs (a max-requests-per-child policy, as pre-fork
//! servers do) without losing the mailbox. The worker *returns* its inbox
//! `Receiver` from its task; the supervisor gets it back from the
//! `JoinHandle` and spawns the next generation on it. Every task is
//! `peeps::spawn_named`.
//!
//! `main` makes `jobs` (capacity 8) and hands the receiver to
//! `supervisor`, which spawns `worker` on it and awaits the worker's
//! `JoinHandle`. Each job carries a `oneshot` reply sender. Three
//! `client-N` tasks, each with a clone of the jobs sender, send a burst of
//! 20 jobs, then one job every 300 ms for the life of the process: a new
//! worker generation about every 2.5 s.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the supervisor waits on the worker, the worker on
//! `jobs` whose senders the clients keep and use on their timers).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const JOBS_PER_GENERATION: u32 = 25;

struct Job {
    n: u64,
    reply: oneshot::Sender<u64>,
}

/// Serves up to `JOBS_PER_GENERATION` jobs, then hands its inbox back.
async fn worker(generation: u64, mut inbox: mpsc::Receiver<Job>) -> Option<mpsc::Receiver<Job>> {
    let mut served = 0;
    while served < JOBS_PER_GENERATION {
        let job = inbox.recv().await?;
        tokio::time::sleep(Duration::from_millis(2)).await;
        let _ = job.reply.send(job.n.wrapping_mul(31) ^ generation);
        served += 1;
    }
    Some(inbox)
}

async fn supervisor(mut inbox: mpsc::Receiver<Job>, generations: Arc<AtomicU64>) {
    loop {
        let generation = generations.fetch_add(1, Ordering::Relaxed);
        let handle = peeps::spawn_named("worker", worker(generation, inbox));
        match handle.await {
            Ok(Some(back)) => inbox = back,
            // Every sender is gone, or the worker panicked: nothing to restart.
            Ok(None) | Err(_) => return,
        }
    }
}

async fn call(jobs: &mpsc::Sender<Job>, n: u64) -> Option<u64> {
    let (reply, answer) = oneshot::channel_named("job-reply");
    jobs.send(Job { n, reply }).await.ok()?;
    answer.await.ok()
}

async fn client(id: u64, jobs: mpsc::Sender<Job>, burst_done: Arc<AtomicU64>) {
    for n in 0..20 {
        call(&jobs, id * 1000 + n).await.expect("answer");
    }
    burst_done.fetch_add(1, Ordering::Relaxed);
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    let mut n = 20;
    loop {
        tick.tick().await;
        let _ = call(&jobs, id * 1000 + n).await;
        n += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_recycles_worker_mailbox_from_join");
    let (jobs, inbox) = mpsc::channel_named("jobs", 8);
    let generations = Arc::new(AtomicU64::new(0));
    let supervised = peeps::spawn_named("supervisor", supervisor(inbox, generations.clone()));
    let burst_done = Arc::new(AtomicU64::new(0));
    for id in 0..3 {
        peeps::spawn_named(
            format!("client-{id}"),
            client(id, jobs.clone(), burst_done.clone()),
        );
    }
    drop(jobs);
    ready_when(move |g| {
        burst_done.load(Ordering::Relaxed) == 3
            && generations.load(Ordering::Relaxed) >= 4
            && waited_on(g, NodeKind::Channel, "jobs")
    });
    let _ = supervised.await;
}
