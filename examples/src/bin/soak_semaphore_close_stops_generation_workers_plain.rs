//! Healthy, under steady load: a job runner whose shutdown is
//! `Semaphore::close()`. Each generation makes a fresh `job-gate` (a
//! `Semaphore` of 2) and five plain workers that loop taking a permit and
//! doing a job (30-90 ms) under it, recording it under `job-log`; a
//! worker whose `acquire` fails (the gate closed) returns. A plain
//! supervisor runs a generation for 600 ms, `close()`s the gate, awaits
//! the workers' `JoinHandle`s in order, and starts the next generation.
//!
//! The supervisor waits on workers that wait on `job-gate` (held by
//! workers on timers) or finish their last job; after `close()` no
//! acquire waits.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn worker(gate: Arc<Semaphore>, log: Arc<Mutex<Vec<(u64, u64)>>>, id: u64) -> u64 {
    let mut done = 0u64;
    while let Ok(_permit) = gate.acquire().await {
        tokio::time::sleep(Duration::from_millis(30 + (done * 23 + id * 11) % 61)).await;
        done += 1;
        let mut log = log.lock().await;
        log.push((id, done));
        if log.len() > 256 {
            log.clear();
        }
    }
    done
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_semaphore_close_stops_generation_workers_plain");
    let log = Arc::new(Mutex::new(Vec::new()).named("job-log"));
    let generations = Arc::new(AtomicU64::new(0));
    let jobs = Arc::new(AtomicU64::new(0));
    {
        let generations = generations.clone();
        let jobs = jobs.clone();
        tokio::spawn(async move {
            loop {
                let gate = Arc::new(Semaphore::new(2).named("job-gate"));
                let workers: Vec<_> = (0..5)
                    .map(|id| tokio::spawn(worker(gate.clone(), log.clone(), id)))
                    .collect();
                tokio::time::sleep(Duration::from_millis(600)).await;
                gate.close();
                for w in workers {
                    jobs.fetch_add(w.await.expect("worker panicked"), Ordering::Relaxed);
                }
                generations.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |g| {
        generations.load(Ordering::Relaxed) >= 1
            && jobs.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Semaphore, "job-gate")
    });
    park().await
}
