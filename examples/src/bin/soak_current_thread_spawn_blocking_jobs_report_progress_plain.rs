//! Healthy, under steady load: a current-thread runtime that offloads CPU
//! work to `spawn_blocking` and hears back through a channel. `main`
//! keeps up to three hashing jobs in a tokio `JoinSet` (`spawn_blocking`);
//! each job works in 3 ms steps, `blocking_send`s a progress note per step
//! into `progress` (capacity 1, so a job often waits for `main` to read)
//! and, every fourth step, `blocking_lock()`s an async `peeps::sync::Mutex`
//! of stats that `main` and a plain reporter also lock (never across an
//! `.await`). `main` loops on a `select!` of `progress.recv()` and
//! `join_next()`, starting a new job for each one that ends. So the jobs
//! wait for `main` and `main` for the jobs, in turn, all the time: each
//! wait ends when the other side's step is done. Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

#[derive(Default)]
struct Stats {
    steps: u64,
    jobs: u64,
}

fn hash_job(id: u64, progress: mpsc::Sender<(u64, u32)>, stats: Arc<Mutex<Stats>>) -> u64 {
    let mut h = id;
    for step in 0..20u32 {
        std::thread::sleep(Duration::from_millis(3));
        h = h
            .wrapping_mul(6364136223846793005)
            .wrapping_add(step as u64);
        if progress.blocking_send((id, step)).is_err() {
            break;
        }
        if step.is_multiple_of(4) {
            let mut s = stats.blocking_lock();
            s.steps += 4;
        }
    }
    h
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_spawn_blocking_jobs_report_progress_plain");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let (progress_tx, mut progress) = mpsc::channel::<(u64, u32)>(1);
    let done = Arc::new(AtomicU64::new(0));

    let s = stats.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(25)).await;
            let s = s.lock().await;
            let _ = (s.steps, s.jobs);
        }
    });

    let d = done.clone();
    ready_when(move |_| d.load(Ordering::Relaxed) >= 6);

    let mut jobs = JoinSet::new();
    let mut next = 0u64;
    for _ in 0..3 {
        let (tx, st) = (progress_tx.clone(), stats.clone());
        let id = next;
        next += 1;
        jobs.spawn_blocking(move || hash_job(id, tx, st));
    }
    let mut notes = 0u64;
    loop {
        tokio::select! {
            note = progress.recv() => {
                if note.is_some() {
                    notes += 1;
                }
            }
            Some(res) = jobs.join_next() => {
                let _hash = res.expect("a hashing job panicked");
                stats.lock().await.jobs += 1;
                done.fetch_add(1, Ordering::Relaxed);
                let (tx, st) = (progress_tx.clone(), stats.clone());
                let id = next;
                next += 1;
                jobs.spawn_blocking(move || hash_job(id, tx, st));
            }
        }
        let _ = notes;
    }
}
