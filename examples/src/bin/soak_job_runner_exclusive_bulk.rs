//! Healthy, under steady load: a job runner limits jobs with a
//! `Semaphore` of 4 (`runner-slots`). Four small workers
//! (`peeps::spawn_named`, `job-1`..`job-4`) each take one permit and hold
//! it across an I/O sleep (20–80 ms), forever. A periodic exclusive job
//! (`vacuum`, `peeps::spawn_named`) takes `acquire_many(4)`, every permit,
//! for 15 ms every 100 ms. While `vacuum` waits, tokio's fair semaphore
//! queues every small acquire behind it, with permits free: the small
//! waits are released by `vacuum`, which is released by the small jobs'
//! sleeps. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn small_job(slots: Arc<Semaphore>, id: u64, done: Arc<AtomicU64>) {
    for n in 0u64.. {
        let _slot = slots.acquire().await.expect("never closed");
        // The job's I/O, under its slot.
        tokio::time::sleep(Duration::from_millis(20 + (n * 13 + id * 29) % 60)).await;
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn vacuum(slots: Arc<Semaphore>, done: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _all = slots.acquire_many(4).await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(15)).await;
        done.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_job_runner_exclusive_bulk");
    let slots = Arc::new(Semaphore::new(4).named("runner-slots"));
    let jobs = Arc::new(AtomicU64::new(0));
    let vacuums = Arc::new(AtomicU64::new(0));
    for id in 1..=4 {
        peeps::spawn_named(
            format!("job-{id}"),
            small_job(slots.clone(), id, jobs.clone()),
        );
    }
    peeps::spawn_named("vacuum", vacuum(slots, vacuums.clone()));
    ready_when(move |_| jobs.load(Ordering::Relaxed) >= 20 && vacuums.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
