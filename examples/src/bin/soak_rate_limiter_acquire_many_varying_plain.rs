//! Healthy, under steady load: a bandwidth limiter, a `Semaphore` of 8
//! (`bandwidth`), shared by five clients (plain `tokio::spawn`) that each
//! take `acquire_many(n)` for a transfer of n units, n varying from 1 to 8
//! (8: every permit), and hold it across the transfer (a 10–50 ms sleep).
//! A large request at the head of tokio's fair queue keeps smaller ones
//! behind it while permits are free. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_rate_limiter_acquire_many_varying_plain");
    let bandwidth = Arc::new(Semaphore::new(8).named("bandwidth"));
    let sent = Arc::new(AtomicU64::new(0));
    for client in 0u64..5 {
        let bandwidth = bandwidth.clone();
        let sent = sent.clone();
        tokio::spawn(async move {
            for i in 0u64.. {
                let units = 1 + (i * 3 + client * 5) % 8;
                let _budget = bandwidth
                    .acquire_many(units as u32)
                    .await
                    .expect("never closed");
                tokio::time::sleep(Duration::from_millis(10 + (i * 7 + client) % 40)).await;
                sent.fetch_add(units, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |_| sent.load(Ordering::Relaxed) >= 100);
    examples::park().await
}
