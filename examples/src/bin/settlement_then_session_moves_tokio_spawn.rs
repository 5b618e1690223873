//! Healthy control: an end-of-day settlement locks all ten accounts (one
//! class, lowest index first) and holds them across a snapshot write;
//! later a client holds its `session` across a slow read, and, after it
//! let `session` go, appends to the `journal`; an auditor locks
//! `journal`, then `session`. No peeps annotation: plain `tokio::spawn`
//! of `async move` blocks on a two-worker runtime.
//!
//! Before each of those pauses (plain `tokio::time::sleep`s) the task
//! starts a CPU-heavy job (a blocking `tokio::spawn`), which lands in its
//! worker's LIFO slot and keeps that worker busy, so tokio resumes the
//! task on the other worker: the settlement takes the accounts on one
//! thread and lets them go on the other; the client takes `session` on
//! the other thread, lets it go on the settlement's, and takes `journal`
//! back on the first. The program repeats each step until the moves
//! happened that way. Then a slow client holds `session` for an hour and
//! the auditor, holding `journal`, waits for it.
//!
//! Expected: no deadlock, no potential deadlock: the client never holds
//! `session` while it takes `journal`, and the only order is `journal`
//! then `session`. (A note that the settlement held more locks than peeps
//! follows is honest.)

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::Duration;

struct Bank {
    accounts: Vec<Mutex<i64>>,
    session: Mutex<u64>,
    journal: Mutex<Vec<String>>,
}

/// Starts a CPU-heavy job from inside the current task (it runs on this
/// worker as soon as the task waits), then waits `pause`: returns the
/// thread the task resumed on.
async fn pause_beside_cpu_job(pause: Duration) -> ThreadId {
    tokio::spawn(async { std::thread::sleep(Duration::from_millis(200)) });
    tokio::time::sleep(pause).await;
    std::thread::current().id()
}

/// Locks every account, writes a snapshot: the thread it locked on, if it
/// let them go on another one.
async fn settle(bank: &Bank) -> Option<ThreadId> {
    let mut all = Vec::new();
    for account in &bank.accounts {
        all.push(account.lock().await);
    }
    let locked_on = std::thread::current().id();
    let total: i64 = all.iter().map(|a| **a).sum();
    let released_on = pause_beside_cpu_job(Duration::from_millis(20)).await;
    println!("settled {total}");
    drop(all);
    (released_on != locked_on).then_some(locked_on)
}

/// One client request: `session` across a read, then the journal. Whether
/// it took `session` on another thread than `settled_on`, let it go on
/// `settled_on`, and took `journal` back where it took `session`.
async fn request(bank: &Bank, settled_on: ThreadId) -> bool {
    let mut session = bank.session.lock().await;
    let took_on = std::thread::current().id();
    *session += 1;
    let read_on = pause_beside_cpu_job(Duration::from_millis(20)).await;
    drop(session);
    let back_on = pause_beside_cpu_job(Duration::from_millis(20)).await;
    bank.journal.lock().await.push("request".to_owned());
    took_on != settled_on && read_on == settled_on && back_on == took_on
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("settlement_then_session_moves_tokio_spawn");
    let bank = Arc::new(Bank {
        accounts: (0..10).map(|_| Mutex::new(100).named("account")).collect(),
        session: Mutex::new(0).named("session"),
        journal: Mutex::new(Vec::new()).named("journal"),
    });

    let b = bank.clone();
    let settled_on = tokio::spawn(async move {
        for _ in 0..50 {
            if let Some(on) = settle(&b).await {
                return on;
            }
        }
        panic!("the settlement never resumed on another worker");
    })
    .await
    .expect("the settlement");

    let b = bank.clone();
    tokio::spawn(async move {
        for _ in 0..50 {
            if request(&b, settled_on).await {
                return;
            }
        }
        panic!("the client never moved as it should");
    })
    .await
    .expect("the client");

    // The auditor: `journal`, then `session`.
    let b = bank.clone();
    tokio::spawn(async move {
        let mut journal = b.journal.lock().await;
        let requests = *b.session.lock().await;
        journal.push(format!("audit: {requests} requests"));
    })
    .await
    .expect("the audit");

    // A slow client, and the auditor waiting for it.
    let b = bank.clone();
    tokio::spawn(async move {
        let _session = b.session.lock().await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
    });
    while bank.session.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move {
        let mut journal = bank.journal.lock().await;
        let requests = *bank.session.lock().await;
        journal.push(format!("audit: {requests} requests"));
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "session") == 1);
    park().await
}
