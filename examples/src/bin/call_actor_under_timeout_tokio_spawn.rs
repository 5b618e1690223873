//! Healthy control: a task holds a lock while it awaits an actor's reply
//! under `tokio::time::timeout`, the actor needing that lock to answer;
//! both started with plain `tokio::spawn`.
//!
//! `withdraw` takes the `accounts` lock, asks `ledger` for the balance
//! (a oneshot reply sender inside the request on `ledger-inbox`) and
//! awaits the reply for at most an hour, then gives up and lets the lock
//! go. The ledger, to answer, needs `accounts`. The two wait on each
//! other until the timer ends the withdrawal's wait: a stall, not a
//! deadlock.
//!
//! Expected: no deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Accounts = Arc<Mutex<HashMap<String, i64>>>;

struct Balance {
    account: String,
    reply: oneshot::Sender<i64>,
}

#[peeps::instrument]
async fn run_ledger(accounts: Accounts, mut inbox: mpsc::Receiver<Balance>) {
    while let Some(req) = inbox.recv().await {
        let balance = accounts
            .lock()
            .await
            .get(&req.account)
            .copied()
            .unwrap_or(0);
        let _ = req.reply.send(balance);
    }
}

#[peeps::instrument]
async fn withdraw(accounts: Accounts, ledger: mpsc::Sender<Balance>, amount: i64) {
    let mut accounts = accounts.lock().await;
    let (reply, answer) = oneshot::channel_named("balance");
    let req = Balance {
        account: "alice".to_owned(),
        reply,
    };
    if ledger.send(req).await.is_err() {
        return;
    }
    match tokio::time::timeout(Duration::from_secs(3600), answer).await {
        Ok(Ok(balance)) if balance >= amount => {
            *accounts.entry("alice".to_owned()).or_default() -= amount;
        }
        Ok(_) => println!("refused"),
        Err(_) => println!("ledger timed out, giving up"),
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("call_actor_under_timeout_tokio_spawn");
    let accounts: Accounts = Arc::new(Mutex::new(HashMap::new()).named("accounts"));
    let (tx, rx) = mpsc::channel_named("ledger-inbox", 8);
    tokio::spawn(run_ledger(accounts.clone(), rx));
    tokio::spawn(withdraw(accounts, tx, 10));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "balance", "recv")
            && waited_on_for(g, NodeKind::Mutex, "accounts", "lock")
    });
    park().await
}
