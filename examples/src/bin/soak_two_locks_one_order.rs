//! Healthy, under steady load: eight tellers (plain `tokio::spawn`) post
//! transfers, each taking `accounts` then `journal` (always that order)
//! for a short critical section; an auditor takes `journal` alone every
//! 400 ms and keeps it across a slow check (1.2 s); a balance reporter
//! takes `accounts` alone every 150 ms. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, and no
//! potential deadlock: there is one lock order only (`accounts` →
//! `journal`). Tellers waiting on `journal` behind the auditor, and on
//! `accounts` behind them, are honest long waits.

use examples::ready_when;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_two_locks_one_order");
    let accounts = Arc::new(Mutex::new(vec![1_000i64; 16]).named("accounts"));
    let journal = Arc::new(Mutex::new(Vec::<(usize, usize, i64)>::new()).named("journal"));
    let posted = Arc::new(AtomicU64::new(0));
    for t in 0..8usize {
        let accounts = accounts.clone();
        let journal = journal.clone();
        let posted = posted.clone();
        tokio::spawn(async move {
            for n in 0usize.. {
                let (from, to) = ((n + t) % 16, (n * 3 + t + 1) % 16);
                let mut acc = accounts.lock().await;
                acc[from] -= 1;
                acc[to] += 1;
                journal.lock().await.push((from, to, 1));
                drop(acc);
                posted.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5 + t as u64)).await;
            }
        });
    }
    let audit_journal = journal.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(400));
        loop {
            every.tick().await;
            let mut j = audit_journal.lock().await;
            tokio::time::sleep(Duration::from_millis(1200)).await;
            let n = j.len();
            j.clear();
            println!("audited {n} entries");
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(150));
        loop {
            every.tick().await;
            let total: i64 = accounts.lock().await.iter().sum();
            assert_eq!(total, 16_000);
        }
    });
    let seen = posted.clone();
    // The auditor keeps `journal` most of the time (its interval bursts
    // after each slow check), so the tellers post a few transfers a second.
    ready_when(move |_| seen.load(Ordering::Relaxed) > 5);
    examples::park().await
}
