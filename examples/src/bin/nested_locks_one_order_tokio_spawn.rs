//! Healthy control: three mutexes always taken nested in one order
//! (`accounts`, then `ledger`, then `audit`) by many tasks started with
//! plain `tokio::spawn`, their bodies `#[peeps::instrument]` functions.
//!
//! Six `post` tasks each post a few entries quickly (every lock order
//! seen many times, always the same), then the last entry of one of
//! them takes an hour while it holds all three; the others wait on
//! `accounts`.
//!
//! Expected: no deadlock and no potential deadlock (one order only).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// The books every posting updates together.
struct Books {
    accounts: Mutex<i64>,
    ledger: Mutex<Vec<i64>>,
    audit: Mutex<Vec<String>>,
}

#[peeps::instrument]
async fn post_entry(books: &Books, id: usize, amount: i64, slow: bool) {
    let mut balance = books.accounts.lock().await;
    let mut ledger = books.ledger.lock().await;
    let mut audit = books.audit.lock().await;
    if slow {
        // A slow audit sink.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    *balance += amount;
    ledger.push(amount);
    audit.push(format!("poster {id}: {amount}"));
}

#[peeps::instrument]
async fn post(id: usize, books: Arc<Books>) {
    for amount in 1..=5 {
        post_entry(&books, id, amount, false).await;
        tokio::task::yield_now().await;
    }
    post_entry(&books, id, 100, true).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("nested_locks_one_order_tokio_spawn");
    let books = Arc::new(Books {
        accounts: Mutex::new(0).named("accounts"),
        ledger: Mutex::new(Vec::new()).named("ledger"),
        audit: Mutex::new(Vec::new()).named("audit"),
    });
    for id in 1..=6 {
        tokio::spawn(post(id, books.clone()));
    }
    ready_when(|g| waiters(g, NodeKind::Mutex, "accounts") == 5);
    park().await
}
