//! Healthy control: `gate_across_sleep_tokio_spawn` with the pause between
//! the gate and the accounts an instrumented wait: each transfer asks a
//! fraud-check actor over a `peeps::sync::mpsc` channel and awaits its
//! `peeps::sync::oneshot` reply, holding `transfers`. No peeps annotation:
//! plain `tokio::spawn` of `async move` blocks on a two-worker runtime.
//!
//! A CPU-heavy audit job started right before the wait keeps the
//! transfer's worker busy, so tokio resumes it on the other worker, where
//! it locks `acct-a` then `acct-b` (or `acct-b` then `acct-a`). Each
//! direction is repeated until that move happened. Then a last transfer
//! holds the gate while the checker takes an hour over it, and a second
//! waits on `transfers`.
//!
//! Expected: no deadlock, no potential deadlock (the inversion of the
//! accounts is guarded by `transfers`: a plain task's locks follow it
//! across an instrumented wait, docs/lock-order.md).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

struct Bank {
    transfers: Mutex<u64>,
    a: Mutex<i64>,
    b: Mutex<i64>,
    checks: mpsc::Sender<(Duration, oneshot::Sender<bool>)>,
}

/// One transfer under the gate, after the fraud check (which takes
/// `check`). Returns whether it resumed on another thread.
async fn transfer(bank: &Bank, a_to_b: bool, check: Duration) -> bool {
    let mut count = bank.transfers.lock().await;
    let before = std::thread::current().id();
    let (reply, verdict) = oneshot::channel_named("verdict");
    bank.checks.send((check, reply)).await.expect("the checker");
    tokio::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
    let ok = verdict.await.expect("a verdict");
    let moved = std::thread::current().id() != before;
    let (from, to) = if a_to_b {
        (&bank.a, &bank.b)
    } else {
        (&bank.b, &bank.a)
    };
    let mut debit = from.lock().await;
    let mut credit = to.lock().await;
    if ok {
        *debit -= 10;
        *credit += 10;
        *count += 1;
    }
    moved
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("gate_across_reply_wait_tokio_spawn");
    let (checks, mut inbox) =
        mpsc::channel_named::<(Duration, oneshot::Sender<bool>)>("fraud-checks", 8);
    tokio::spawn(async move {
        while let Some((took, reply)) = inbox.recv().await {
            tokio::time::sleep(took).await;
            let _ = reply.send(true);
        }
    });
    let bank = Arc::new(Bank {
        transfers: Mutex::new(0).named("transfers"),
        a: Mutex::new(100).named("acct-a"),
        b: Mutex::new(100).named("acct-b"),
        checks,
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
