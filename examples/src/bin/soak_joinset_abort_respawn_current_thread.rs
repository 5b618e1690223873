//! Healthy, under steady load: a supervisor (`peeps::spawn_named`) runs
//! five uploaders in a `tokio::task::JoinSet` (plain tokio tasks). Each
//! takes an owned permit of `db-conns` (2 permits), then the `ledger`
//! lock with `lock_owned`, and holds both across a 200-500 ms upload.
//! Every 700 ms the supervisor `abort_all()`s the set (dropping the
//! futures with the guards and permits inside), drains it and spawns five
//! fresh uploaders. An `auditor` (`peeps::spawn_named`) locks `ledger`
//! every 100 ms. Current-thread runtime (as
//! `soak_joinset_abort_respawn`).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `db-conns` and `ledger` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Ledger {
    entries: Vec<u64>,
}

async fn upload(n: u64, conns: Arc<Semaphore>, ledger: Arc<Mutex<Ledger>>, done: Arc<AtomicU64>) {
    let mut k = n;
    loop {
        let conn = conns.clone().acquire_owned().await.expect("never closed");
        let mut entry = ledger.clone().lock_owned().await;
        tokio::time::sleep(Duration::from_millis(200 + (k * 131) % 300)).await;
        entry.entries.push(k);
        if entry.entries.len() > 100 {
            entry.entries.clear();
        }
        drop(entry);
        drop(conn);
        done.fetch_add(1, Ordering::Relaxed);
        k += 5;
    }
}

#[peeps::instrument]
async fn supervise(
    conns: Arc<Semaphore>,
    ledger: Arc<Mutex<Ledger>>,
    done: Arc<AtomicU64>,
    rounds: Arc<AtomicU64>,
) {
    let mut set = tokio::task::JoinSet::new();
    loop {
        for n in 0..5u64 {
            set.spawn(upload(n, conns.clone(), ledger.clone(), done.clone()));
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
        set.abort_all();
        while let Some(res) = set.join_next().await {
            std::hint::black_box(res.is_err());
        }
        rounds.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn audit(ledger: Arc<Mutex<Ledger>>, audits: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let l = ledger.lock().await;
        std::hint::black_box(l.entries.len());
        audits.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_joinset_abort_respawn_current_thread");
    let conns = Arc::new(Semaphore::new(2).named("db-conns"));
    let ledger = Arc::new(Mutex::new(Ledger::default()).named("ledger"));
    let done = Arc::new(AtomicU64::new(0));
    let rounds = Arc::new(AtomicU64::new(0));
    let audits = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("auditor", audit(ledger.clone(), audits.clone()));
    peeps::spawn_named(
        "supervisor",
        supervise(conns, ledger, done.clone(), rounds.clone()),
    );
    ready_when(move |g| {
        rounds.load(Ordering::Relaxed) >= 2
            && done.load(Ordering::Relaxed) >= 2
            && audits.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Semaphore, "db-conns")
    });
    examples::park().await
}
