//! Healthy, under steady load: three locks, `config` (an `RwLock`),
//! `ledger` and `audit` (mutexes), taken by many code paths, each path a
//! subset of one global order `config` → `ledger` → `audit`, through
//! helper fns marked `#[peeps::instrument]`:
//!
//! - six plain "posters": `config` read → `ledger` → `audit`;
//! - two plain "viewers": `config` read → `audit` (skipping `ledger`);
//! - a plain "settler": `ledger` → `audit`, keeping `ledger` across 20 ms;
//! - a plain "reloader", every 400 ms: `config` write (kept across 30 ms)
//!   → `ledger` (to re-price it);
//! - a plain "archiver", every 250 ms: `audit` alone, kept across 90 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, and no
//! potential deadlock: every pair of locks is always taken in the same
//! order.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Books {
    config: RwLock<u64>,
    ledger: Mutex<Vec<i64>>,
    audit: Mutex<Vec<String>>,
}

#[peeps::instrument]
async fn post(books: &Books, n: u64) {
    let fee = *books.config.read().await;
    let mut ledger = books.ledger.lock().await;
    let slot = (n % 16) as usize;
    ledger[slot] += i64::try_from(fee).expect("small");
    let mut audit = books.audit.lock().await;
    audit.push(format!("post {n}"));
}

#[peeps::instrument]
async fn view(books: &Books, n: u64) -> usize {
    let _cfg = books.config.read().await;
    let audit = books.audit.lock().await;
    audit.len() + n as usize
}

#[peeps::instrument]
async fn settle(books: &Books) {
    let mut ledger = books.ledger.lock().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let total: i64 = ledger.iter().sum();
    ledger[0] -= total / 100;
    books.audit.lock().await.push(format!("settled {total}"));
}

#[peeps::instrument]
async fn reload(books: &Books, round: u64) {
    let mut cfg = books.config.write().await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    *cfg = 1 + round % 3;
    let mut ledger = books.ledger.lock().await;
    for v in ledger.iter_mut() {
        *v = *v * 99 / 100;
    }
}

#[peeps::instrument]
async fn archive(books: &Books) {
    let mut audit = books.audit.lock().await;
    tokio::time::sleep(Duration::from_millis(90)).await;
    audit.clear();
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_config_ledger_audit_subsets_one_order_instrumented");
    let books = Arc::new(Books {
        config: RwLock::new(1).named("config"),
        ledger: Mutex::new(vec![0; 16]).named("ledger"),
        audit: Mutex::new(Vec::new()).named("audit"),
    });
    let posted = Arc::new(AtomicU64::new(0));
    for p in 0..6u64 {
        let books = books.clone();
        let posted = posted.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                post(&books, n * 6 + p).await;
                posted.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    for v in 0..2u64 {
        let books = books.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(view(&books, n + v).await);
                tokio::time::sleep(Duration::from_millis(8)).await;
            }
        });
    }
    {
        let books = books.clone();
        tokio::spawn(async move {
            loop {
                settle(&books).await;
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        });
    }
    {
        let books = books.clone();
        tokio::spawn(async move {
            for round in 0u64.. {
                tokio::time::sleep(Duration::from_millis(400)).await;
                reload(&books, round).await;
            }
        });
    }
    {
        let books = books.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                archive(&books).await;
            }
        });
    }
    ready_when(move |g| {
        posted.load(Ordering::Relaxed) >= 100 && waited_on(g, NodeKind::Mutex, "audit")
    });
    park().await
}
