//! Deadlock: a task holds a lock while it calls an actor that needs the
//! same lock to answer.
//!
//! `api` locks `accounts`, then asks the `ledger` actor for a balance
//! (a request carrying a oneshot reply sender) and awaits the answer
//! with the guard still held. The ledger, to answer, locks `accounts`.
//!
//! Expected: one `certain` deadlock of `api` and `ledger`: the api waits
//! for its reply, whose sender the ledger received and keeps in its state
//! while it waits on mutex `accounts`, held by the api.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;

type Accounts = Arc<Mutex<HashMap<&'static str, i64>>>;

struct Balance {
    account: &'static str,
    reply: oneshot::Sender<i64>,
}

#[peeps::instrument]
async fn run_ledger(accounts: Accounts, mut inbox: mpsc::Receiver<Balance>) {
    while let Some(req) = inbox.recv().await {
        let balance = accounts.lock().await.get(req.account).copied();
        let _ = req.reply.send(balance.unwrap_or(0));
    }
}

#[peeps::instrument]
async fn withdraw(accounts: Accounts, ledger: mpsc::Sender<Balance>, amount: i64) {
    let mut all = accounts.lock().await;
    let (reply, answer) = oneshot::channel_named("balance");
    let req = Balance {
        account: "alice",
        reply,
    };
    if ledger.send(req).await.is_err() {
        return;
    }
    let balance = answer.await.unwrap_or(0);
    if balance >= amount {
        all.insert("alice", balance - amount);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_held_calling_actor");
    let accounts: Accounts =
        Arc::new(Mutex::new(HashMap::from([("alice", 100)])).named("accounts"));
    let (tx, rx) = mpsc::channel_named("ledger-inbox", 8);
    peeps::spawn_named("ledger", run_ledger(accounts.clone(), rx));
    peeps::spawn_named("api", withdraw(accounts, tx, 30));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "balance", "recv")
            && waited_on_for(g, NodeKind::Mutex, "accounts", "lock")
    });
    park().await
}
