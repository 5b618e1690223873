//! Deadlock in truth, with unrelated background work alive: `api`
//! (`peeps::spawn_named`, no other peeps annotation) locks `accounts`,
//! sends a `Balance` request carrying a `oneshot` reply sender to the
//! `ledger` actor (`peeps::spawn_named`) over `ledger-inbox`, and awaits
//! the reply with the guard still alive. The ledger, to answer, locks
//! `accounts`. `main` also runs a plain `tokio::spawn` heartbeat loop on a
//! timer. Multi-thread runtime.
//!
//! What docs/ownership.md promises: the ledger's wait on `accounts` rests
//! on api's guard (proof), but api's wait on `balance` rests on the reply
//! sender the ledger received and keeps in its state, which the census
//! (the heartbeat is a task peeps cannot see into) makes no proof: no
//! deadlock; at a short threshold, two long waits: api's receive on
//! `balance`, whose sender was last seen with the blocked ledger, and the
//! ledger's lock of `accounts`, held by api.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
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

async fn api(accounts: Accounts, ledger: mpsc::Sender<Balance>) {
    let mut guard = accounts.lock().await;
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
    // The bug: `guard` is alive while the ledger needs `accounts` to answer.
    let Ok(balance) = balance.await else {
        return;
    };
    if balance >= 30 {
        *guard.entry("alice").or_default() -= 30;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_across_reply_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let accounts: Accounts =
        Arc::new(Mutex::new(HashMap::from([("alice", 100), ("bob", 5)])).named("accounts"));
    let (tx, rx) = mpsc::channel_named("ledger-inbox", 16);
    peeps::spawn_named("ledger", ledger(accounts.clone(), rx));
    peeps::spawn_named("api", api(accounts, tx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "accounts", "lock")
            && waited_on_for(g, NodeKind::Channel, "balance", "recv")
    });
    park().await
}
