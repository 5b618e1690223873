//! Healthy, mostly idle: the twin of
//! `soak_current_thread_cron_dispatch_results_plain` on the default
//! multi-thread runtime (`#[tokio::main]`). `main` loops on `tokio::select!`
//! of `results.recv()` (an `mpsc` of capacity 4) against a 20 s `interval`
//! (a first job sent at startup): each tick sends a job into `jobs` (capacity 4);
//! a plain `tokio::spawn` worker works 10 ms per job and sends its result.
//!
//! Between ticks `main` waits on its timer and on `results` (sender with
//! the worker), the worker on `jobs` (sender with `main`): idle, not stuck.
//! Here `main`'s waker (tokio's parked-thread waker) can be counted: the
//! timer holds a clone. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_cron_dispatch_results_plain");
    let (jobs, mut inbox) = mpsc::channel::<u64>(4);
    let (results_tx, mut results) = mpsc::channel::<u64>(4);
    tokio::spawn(async move {
        while let Some(n) = inbox.recv().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if results_tx.send(n * 2).await.is_err() {
                return;
            }
        }
    });
    let seen = Arc::new(AtomicU64::new(0));
    let counted = seen.clone();
    ready_when(move |_| counted.load(Ordering::Relaxed) >= 1);
    // Compact once at startup, then every 20 s.
    jobs.send(0).await.expect("the worker runs");
    let period = Duration::from_secs(20);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let mut n = 0u64;
    loop {
        tokio::select! {
            result = results.recv() => {
                let Some(result) = result else { break };
                seen.fetch_add(1, Ordering::Relaxed);
                println!("compaction {result} done");
            }
            _ = tick.tick() => {
                n += 1;
                if jobs.send(n).await.is_err() {
                    break;
                }
            }
        }
    }
}
