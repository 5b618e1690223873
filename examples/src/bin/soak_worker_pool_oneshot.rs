//! Healthy, under steady load: a worker pool behind a bounded `mpsc` of
//! capacity 4 (`jobs`) whose receiver three workers share through an
//! `Arc<peeps::sync::Mutex<Receiver>>` (`job-queue`), each job carrying a
//! `oneshot` reply sender. Twelve clients (plain `tokio::spawn`) submit jobs
//! faster than the workers finish them, so `jobs` is full most of the
//! time (backpressure), and every fourth job is slow (a 1.5 s timer). The
//! workers count into a `stats` mutex after each job. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (`job-queue` and `stats` are never held together).
//! Long waits are honest: clients sending into the full `jobs`, workers
//! queued on `job-queue` behind the one receiving, clients awaiting a slow
//! reply.

use examples::ready_when;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Job {
    n: u64,
    reply: oneshot::Sender<u64>,
}

type Queue = Arc<Mutex<mpsc::Receiver<Job>>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_worker_pool_oneshot");
    let (jobs, rx) = mpsc::channel_named::<Job>("jobs", 4);
    let queue: Queue = Arc::new(Mutex::new(rx).named("job-queue"));
    let stats = Arc::new(Mutex::new(0u64).named("stats"));
    let answered = Arc::new(AtomicU64::new(0));
    for _ in 0..3 {
        let queue = queue.clone();
        let stats = stats.clone();
        tokio::spawn(async move {
            loop {
                let job = queue.lock().await.recv().await;
                let Some(Job { n, reply }) = job else { return };
                let pause = if n % 4 == 0 { 1500 } else { 20 };
                tokio::time::sleep(Duration::from_millis(pause)).await;
                *stats.lock().await += 1;
                let _ = reply.send(n * 2);
            }
        });
    }
    for c in 0..12u64 {
        let jobs = jobs.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            for n in (c..).step_by(12) {
                let (reply, answer) = oneshot::channel_named("answer");
                if jobs.send(Job { n, reply }).await.is_err() {
                    return;
                }
                let _ = answer.await;
                answered.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    drop(jobs);
    let seen = answered.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) > 60);
    examples::park().await
}
