//! Healthy, under steady load: CPU work on a pool of three `std::thread`
//! workers bridged to async code. Each thread owns the receiver of its
//! own job `mpsc` (capacity 2) and loops on `blocking_recv()`, works
//! (a 3 ms `std::thread::sleep`), `blocking_lock()`s the `Mutex` of
//! stats it shares with async tasks, and `blocking_send`s the result into
//! `results` (capacity 4). The plain dispatcher `select!`s `results.recv()`
//! against a 900 ms `interval`; on each tick it sends a batch of jobs
//! round robin, so between batches every thread waits in `blocking_recv`
//! on a channel whose sender the dispatcher keeps, while the dispatcher
//! waits for results or its tick: a cycle of waits that only the
//! dispatcher's timer breaks, and does, every time. A plain reporter
//! locks the stats once a second. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Stats {
    done: u64,
    cpu_ms: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_pool_blocking_recv_results_select_tick_plain");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let (results_tx, mut results) = mpsc::channel::<(usize, u64)>(4);
    let collected = Arc::new(AtomicU64::new(0));

    let mut jobs = Vec::new();
    for w in 0..3usize {
        let (tx, mut rx) = mpsc::channel::<u64>(2);
        jobs.push(tx);
        let (stats, results_tx) = (stats.clone(), results_tx.clone());
        std::thread::Builder::new()
            .name(format!("cpu-{w}"))
            .spawn(move || {
                while let Some(job) = rx.blocking_recv() {
                    std::thread::sleep(Duration::from_millis(3));
                    {
                        let mut s = stats.blocking_lock();
                        s.done += 1;
                        s.cpu_ms += 3;
                    }
                    if results_tx.blocking_send((w, job * 2)).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn a cpu thread");
    }
    drop(results_tx);

    let c = collected.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(900));
        let mut next = 0u64;
        loop {
            tokio::select! {
                r = results.recv() => {
                    let Some((_w, _out)) = r else { return };
                    c.fetch_add(1, Ordering::Relaxed);
                }
                _ = tick.tick() => {
                    for _ in 0..6 {
                        let w = (next % 3) as usize;
                        next += 1;
                        // The pool is fast: a full queue only waits a few ms.
                        if jobs[w].try_send(next).is_err() {
                            continue;
                        }
                    }
                }
            }
        }
    });

    let s = stats.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let s = s.lock().await;
            let _ = (s.done, s.cpu_ms);
        }
    });

    ready_when(move |_| collected.load(Ordering::Relaxed) >= 12);
    park().await
}
