//! Healthy, mostly idle: a cron-style dispatcher in a current-thread `main`
//! (`#[tokio::main(flavor = "current_thread")]`). `main` loops on
//! `tokio::select!` of `results.recv()` (an `mpsc` of capacity 4) against a
//! 20 s `tokio::time::interval` ("compact at startup, then every 20 s"): each tick sends a
//! job into `jobs` (an `mpsc` of capacity 4), each result is logged. A plain
//! `tokio::spawn` worker receives a job, works 10 ms and sends its result.
//! `main` sends a first job at startup, before the loop, and the
//! interval's first tick is 20 s later (`interval_at`).
//!
//! Between ticks `main` waits on its timer (which peeps cannot see) and on
//! `results`, whose sender the worker keeps, while the worker waits on
//! `jobs`, whose sender `main` keeps: idle, not stuck; the next tick moves
//! both. (As `soak_main_current_thread_select_tick_results_worker`, but
//! dumped before the timer has ever won against the pending receive: the
//! first 20 s of the program.) Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_cron_dispatch_results_plain");
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
