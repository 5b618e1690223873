//! Healthy twin of `lock_across_reply_heartbeat`: `api`
//! (`peeps::spawn_named`) asks the `ledger` actor (`peeps::spawn_named`)
//! for a balance with a `oneshot` reply *before* it locks `accounts`, and
//! locks only to debit; it does so every 20 ms. `main` also runs a plain
//! `tokio::spawn` heartbeat loop on a timer.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Accounts = Arc<Mutex<HashMap<&'static str, i64>>>;

struct Balance {
    account: &'static str,
    reply: oneshot::Sender<i64>,
}

async fn ledger(accounts: Accounts, mut inbox: mpsc::Receiver<Balance>) {
    while let Some(req) = inbox.recv().await {
        let accounts = accounts.lock().await;
        let balance = accounts.get(req.account).copied().unwrap_or(0);
        let _ = req.reply.send(balance);
    }
}

async fn api(accounts: Accounts, ledger: mpsc::Sender<Balance>, calls: Arc<AtomicU64>) {
    loop {
        let (reply, balance) = oneshot::channel_named("balance");
        if ledger
            .send(Balance {
                account: "alice",
                reply,
            })
            .await
            .is_err()
        {
            return;
        }
        let Ok(balance) = balance.await else {
            return;
        };
        if balance >= 1 {
            *accounts.lock().await.entry("alice").or_default() -= 1;
        }
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_released_before_reply_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let accounts: Accounts =
        Arc::new(Mutex::new(HashMap::from([("alice", 100), ("bob", 5)])).named("accounts"));
    let (tx, rx) = mpsc::channel_named("ledger-inbox", 16);
    let calls = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("ledger", ledger(accounts.clone(), rx));
    peeps::spawn_named("api", api(accounts, tx, calls.clone()));
    ready_when(move |_| calls.load(Ordering::SeqCst) >= 5);
    park().await
}
