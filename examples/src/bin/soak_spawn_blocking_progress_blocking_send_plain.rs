//! Healthy, under steady load: CPU-bound jobs in `spawn_blocking` that
//! report progress with `blocking_send` and record results with
//! `blocking_lock`, the way the tokio docs say to bridge. Plain
//! `tokio::spawn`, no peeps annotation, no names.
//!
//! A submitter takes an owned permit of `cpu` (a semaphore of 2) per job
//! and moves it into the `spawn_blocking` closure with the job. The
//! closure works in 5 steps of 10 ms (`std::thread::sleep`), each step
//! `blocking_send`ing a progress event into `progress` (bounded, 4), and
//! at the end `blocking_lock`s `results` (a `Mutex<HashMap>`) to file its
//! result. An async tracker receives `progress` and updates `status` (a
//! `Mutex<HashMap>`); two status handlers lock `status` then `results` to
//! answer queries. The submitter awaits each job's `JoinHandle` in a
//! plain task of its own.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Semaphore, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Jobs {
    status: Mutex<HashMap<u64, u32>>,
    results: Mutex<HashMap<u64, u64>>,
    cpu: Arc<Semaphore>,
    finished: AtomicU64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_progress_blocking_send_plain");
    let jobs = Arc::new(Jobs {
        status: Mutex::new(HashMap::new()),
        results: Mutex::new(HashMap::new()),
        cpu: Arc::new(Semaphore::new(2)),
        finished: AtomicU64::new(0),
    });
    let (progress, mut events) = mpsc::channel::<(u64, u32)>(4);
    {
        let jobs = jobs.clone();
        tokio::spawn(async move {
            while let Some((job, step)) = events.recv().await {
                jobs.status.lock().await.insert(job, step);
            }
        });
    }
    {
        let jobs = jobs.clone();
        tokio::spawn(async move {
            for job in 0u64.. {
                let permit = jobs
                    .cpu
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("never closed");
                let progress = progress.clone();
                let inner = jobs.clone();
                let handle = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    let mut acc = job;
                    for step in 1..=5u32 {
                        std::thread::sleep(Duration::from_millis(10));
                        acc = acc.wrapping_mul(31).wrapping_add(u64::from(step));
                        if progress.blocking_send((job, step)).is_err() {
                            return;
                        }
                    }
                    let mut results = inner.results.blocking_lock();
                    results.insert(job, acc);
                    if results.len() > 64 {
                        results.clear();
                    }
                });
                let jobs = jobs.clone();
                tokio::spawn(async move {
                    handle.await.expect("a job does not panic");
                    jobs.finished.fetch_add(1, Ordering::Relaxed);
                });
            }
        });
    }
    for h in 0..2u64 {
        let jobs = jobs.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let status = jobs.status.lock().await;
                let results = jobs.results.lock().await;
                let key = (n * 3 + h) % 50;
                std::hint::black_box((status.get(&key).copied(), results.get(&key).copied()));
                drop(results);
                if status.len() > 128 {
                    drop(status);
                    jobs.status.lock().await.clear();
                } else {
                    drop(status);
                }
                tokio::time::sleep(Duration::from_millis(6)).await;
            }
        });
    }
    let ready = jobs.clone();
    ready_when(move |_| ready.finished.load(Ordering::Relaxed) >= 20);
    park().await
}
