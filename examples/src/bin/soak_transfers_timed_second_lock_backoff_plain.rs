//! Healthy: transfers that take the second account under a timeout and
//! back off. Two plain `tokio::spawn` tellers move money between accounts
//! `checking` and `savings` (peeps `Mutex`es) in opposite directions: each
//! locks its source account, validates the transfer (2 ms), then tries to
//! lock the destination under a 300 ms `tokio::time::timeout`; on timeout
//! it lets the source go, sleeps a few ms and retries. Whenever both run
//! at once, each holds one account and waits for the other, until their
//! timeouts fire.
//!
//! Both waits are on peeps locks held (proven guards) by the other teller,
//! but each teller's waker has a clone beyond its wait (the timeout's
//! timer): both may wake. Expected, in every dump: no deadlock, nothing
//! stuck forever, and no potential deadlock (both second-lock sites give
//! up).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

type Account = Arc<Mutex<i64>>;

async fn transfer(from: &Account, to: &Account, amount: i64) -> bool {
    let mut source = from.lock().await;
    tokio::time::sleep(Duration::from_millis(2)).await;
    if *source < amount {
        return true;
    }
    match tokio::time::timeout(Duration::from_millis(300), to.lock()).await {
        Ok(mut destination) => {
            *source -= amount;
            *destination += amount;
            true
        }
        Err(_) => false,
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_transfers_timed_second_lock_backoff_plain");
    let checking: Account = Arc::new(Mutex::new(10_000).named("checking"));
    let savings: Account = Arc::new(Mutex::new(10_000).named("savings"));

    for (teller, (from, to)) in [
        (checking.clone(), savings.clone()),
        (savings.clone(), checking.clone()),
    ]
    .into_iter()
    .enumerate()
    {
        tokio::spawn(async move {
            let mut retries = 0u64;
            loop {
                while !transfer(&from, &to, 5).await {
                    retries += 1;
                    let jitter = (retries * 7 + teller as u64 * 3) % 11;
                    tokio::time::sleep(Duration::from_millis(jitter)).await;
                }
                std::hint::black_box(retries);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
    }

    ready_when(|snap| {
        waiters(snap, NodeKind::Mutex, "checking") >= 1
            && waiters(snap, NodeKind::Mutex, "savings") >= 1
    });
    park().await
}
