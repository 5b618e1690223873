//! Healthy control: a global `transfers` gate held around the two account
//! locks, taken in either order, with a rate-limit pause (a plain
//! `tokio::time::sleep`) between the gate and the accounts. No peeps
//! annotation: plain `tokio::spawn` of `async move` blocks on a
//! two-worker runtime.
//!
//! Every transfer locks `transfers`, pauses, then locks its debit account
//! and its credit account: `acct-a` then `acct-b` one way, `acct-b` then
//! `acct-a` the other. Right before the pause the transfer starts a
//! CPU-heavy audit job (a blocking `tokio::spawn`), which lands in its
//! worker's LIFO slot and keeps that worker busy, so tokio resumes the
//! transfer on the other worker: the gate was taken on one thread, the
//! accounts on another. The program repeats each direction until that
//! move happened. Then one last transfer holds the gate across an hour's
//! pause and a second waits on `transfers`.
//!
//! Expected: no deadlock; no potential deadlock either: the inversion of
//! `acct-a` and `acct-b` is guarded by `transfers`, held across both
//! (a plain task's held locks are kept by task, so they follow it to the
//! worker it resumes on).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

struct Bank {
    transfers: Mutex<u64>,
    a: Mutex<i64>,
    b: Mutex<i64>,
}

/// One transfer of 10 from one account to the other, under the gate,
/// after `pause`. Returns whether it resumed on another thread.
async fn transfer(bank: &Bank, a_to_b: bool, pause: Duration) -> bool {
    let mut count = bank.transfers.lock().await;
    let before = std::thread::current().id();
    // A CPU-heavy audit job, started from here: it runs on this worker as
    // soon as the transfer waits.
    tokio::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
    tokio::time::sleep(pause).await;
    let moved = std::thread::current().id() != before;
    let (from, to) = if a_to_b {
        (&bank.a, &bank.b)
    } else {
        (&bank.b, &bank.a)
    };
    let mut debit = from.lock().await;
    let mut credit = to.lock().await;
    *debit -= 10;
    *credit += 10;
    *count += 1;
    moved
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("gate_across_sleep_tokio_spawn");
    let bank = Arc::new(Bank {
        transfers: Mutex::new(0).named("transfers"),
        a: Mutex::new(100).named("acct-a"),
        b: Mutex::new(100).named("acct-b"),
    });
    for a_to_b in [true, false] {
        let bank = bank.clone();
        tokio::spawn(async move {
            for _ in 0..50 {
                if transfer(&bank, a_to_b, Duration::from_millis(20)).await {
                    return;
                }
            }
            panic!("the transfer never resumed on another worker");
        })
        .await
        .expect("the quick transfers");
    }
    let slow = bank.clone();
    tokio::spawn(async move { transfer(&slow, true, Duration::from_secs(3600)).await });
    // Once the slow one holds the gate, the second one waits on it.
    while bank.transfers.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move { transfer(&bank, false, Duration::from_millis(20)).await });
    ready_when(|g| waiters(g, NodeKind::Mutex, "transfers") == 1);
    park().await
}
