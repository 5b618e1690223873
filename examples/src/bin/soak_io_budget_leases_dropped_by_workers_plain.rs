//! Healthy, under steady load: an I/O budget of 8 permits (`Semaphore`).
//! A plain scheduler takes `acquire_many_owned(n)` (1-4) per job, stores
//! the `OwnedSemaphorePermit` in a `Job` struct and sends it (`mpsc`,
//! capacity 2) to one of two plain workers, which run the job (n x 4 ms)
//! and drop it, permit and all. Plain request tasks try
//! `try_acquire_owned()` first and on `NoPermits` hand the request to a
//! plain overflow task over an `mpsc`, which waits with
//! `acquire_owned()`. Every second a plain maintenance task takes the
//! whole budget with `acquire_many(8)` for a 400 ms compaction. A `Mutex` of counters is
//! locked everywhere, never across an await. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, OwnedSemaphorePermit, Semaphore, TryAcquireError, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Job {
    id: u64,
    cost: u32,
    _lease: OwnedSemaphorePermit,
}

#[derive(Default)]
struct Counters {
    jobs: u64,
    fast: u64,
    overflow: u64,
    maintenance: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_io_budget_leases_dropped_by_workers_plain");
    let budget = Arc::new(Semaphore::new(8));
    let counters = Arc::new(Mutex::new(Counters::default()));
    let done = Arc::new(AtomicU64::new(0));

    let mut workers = Vec::new();
    for _ in 0..2 {
        let (tx, mut rx) = mpsc::channel::<Job>(2);
        workers.push(tx);
        let (c, d) = (counters.clone(), done.clone());
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                tokio::time::sleep(Duration::from_millis(4 * u64::from(job.cost))).await;
                c.lock().await.jobs += 1;
                d.fetch_add(1, Ordering::Relaxed);
                let _ = job.id;
                drop(job);
            }
        });
    }

    let b = budget.clone();
    tokio::spawn(async move {
        for id in 0u64.. {
            let cost = 1 + (id % 4) as u32;
            let lease = b.clone().acquire_many_owned(cost).await.expect("open");
            let job = Job {
                id,
                cost,
                _lease: lease,
            };
            if workers[(id % 2) as usize].send(job).await.is_err() {
                return;
            }
        }
    });

    let (overflow_tx, mut overflow) = mpsc::channel::<u64>(16);
    let (b, c) = (budget.clone(), counters.clone());
    tokio::spawn(async move {
        while let Some(req) = overflow.recv().await {
            let permit = b.clone().acquire_owned().await.expect("open");
            tokio::time::sleep(Duration::from_millis(2)).await;
            c.lock().await.overflow += 1;
            drop(permit);
            let _ = req;
        }
    });

    for r in 0..3u64 {
        let (b, c, tx) = (budget.clone(), counters.clone(), overflow_tx.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(6 + r * 3)).await;
                match b.clone().try_acquire_owned() {
                    Ok(permit) => {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        c.lock().await.fast += 1;
                        drop(permit);
                    }
                    Err(TryAcquireError::NoPermits) => {
                        // Queue it; if even the overflow queue is full, drop it.
                        let _ = tx.try_send(r * 1_000_000 + n);
                    }
                    Err(TryAcquireError::Closed) => return,
                }
            }
        });
    }
    drop(overflow_tx);

    let (b, c) = (budget.clone(), counters.clone());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let all = b.acquire_many(8).await.expect("open");
            tokio::time::sleep(Duration::from_millis(400)).await;
            c.lock().await.maintenance += 1;
            drop(all);
        }
    });

    ready_when(move |_| done.load(Ordering::Relaxed) >= 100);
    park().await
}
