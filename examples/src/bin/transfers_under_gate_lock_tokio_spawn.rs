//! Healthy control: two accounts locked in opposite orders, but always
//! under one gate lock (`transfers`) that serialises the transfers, so no
//! two tasks ever hold one account each. Tasks started with plain
//! `tokio::spawn`, their bodies `#[peeps::instrument]` functions.
//!
//! `pay-a-to-b` locks `transfers`, then `acct-a`, then `acct-b`;
//! `pay-b-to-a` locks `transfers`, then `acct-b`, then `acct-a`. Each
//! makes a few quick transfers; once both are done (a `Barrier`), each
//! makes a last one that waits an hour on a fraud check while holding all
//! three: the first holds them, the other waits on `transfers`.
//!
//! Expected: no deadlock; no potential deadlock either (the inversion of
//! `acct-a` and `acct-b` is guarded by `transfers`, held across both).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;
use std::time::Duration;

/// The bank: a gate every transfer takes first, and two accounts.
struct Bank {
    transfers: Mutex<u64>,
    a: Mutex<i64>,
    b: Mutex<i64>,
}

#[peeps::instrument]
async fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, gate: &Mutex<u64>, slow: bool) {
    let mut count = gate.lock().await;
    let mut debit = from.lock().await;
    let mut credit = to.lock().await;
    if slow {
        // A slow fraud check.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    *debit -= 10;
    *credit += 10;
    *count += 1;
}

#[peeps::instrument]
async fn pay(bank: Arc<Bank>, a_to_b: bool, quick_done: Arc<Barrier>) {
    let (from, to) = if a_to_b {
        (&bank.a, &bank.b)
    } else {
        (&bank.b, &bank.a)
    };
    for _ in 0..3 {
        transfer(from, to, &bank.transfers, false).await;
        tokio::task::yield_now().await;
    }
    quick_done.wait().await;
    transfer(from, to, &bank.transfers, true).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("transfers_under_gate_lock_tokio_spawn");
    let bank = Arc::new(Bank {
        transfers: Mutex::new(0).named("transfers"),
        a: Mutex::new(100).named("acct-a"),
        b: Mutex::new(100).named("acct-b"),
    });
    // Both run their quick transfers and meet; then the first to reach
    // its slow one holds the gate, and the other's waits.
    let quick_done = Arc::new(Barrier::new(2).named("quick-done"));
    tokio::spawn(pay(bank.clone(), true, quick_done.clone()));
    tokio::spawn(pay(bank.clone(), false, quick_done));
    ready_when(|g| waiters(g, NodeKind::Mutex, "transfers") == 1);
    park().await
}
