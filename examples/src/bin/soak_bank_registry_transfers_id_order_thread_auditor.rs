//! Healthy, steady: a bank whose accounts (`peeps::sync::Mutex`es, all
//! named `account`) live in an `accounts` `RwLock<HashMap<id, Arc<Mutex>>>`.
//! A transfer (`#[peeps::instrument]`) read-locks `accounts`, locks the
//! two accounts lower id first, moves the money and, still holding both,
//! sends the entry into `ledger-entries` (capacity 16) for a slow
//! `ledger` actor. Tellers (`peeps::spawn_named`) do 80 random transfers
//! each, then one every 300 ms. An `auditor` `std::thread` every 250 ms
//! `blocking_read`s `accounts` and `blocking_lock`s every account in id
//! order to check the total; an `account-opener` task write-locks
//! `accounts` to open an account every 700 ms. Every path takes
//! `accounts` before any account, and accounts in id order.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, mpsc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Account {
    balance: i64,
}

type Accounts = Arc<RwLock<BTreeMap<u32, Arc<Mutex<Account>>>>>;

struct Entry {
    from: u32,
    to: u32,
    amount: i64,
}

fn account(balance: i64) -> Arc<Mutex<Account>> {
    Arc::new(Mutex::new(Account { balance }).named("account"))
}

#[peeps::instrument]
async fn transfer(
    accounts: Accounts,
    ledger: mpsc::Sender<Entry>,
    from: u32,
    to: u32,
    amount: i64,
) -> bool {
    if from == to {
        return false;
    }
    let table = accounts.read().await;
    let (Some(a), Some(b)) = (table.get(&from), table.get(&to)) else {
        return false;
    };
    let (first, second) = if from < to { (a, b) } else { (b, a) };
    let mut first = first.lock().await;
    let mut second = second.lock().await;
    let (src, dst) = if from < to {
        (&mut *first, &mut *second)
    } else {
        (&mut *second, &mut *first)
    };
    if src.balance < amount {
        return false;
    }
    src.balance -= amount;
    dst.balance += amount;
    ledger.send(Entry { from, to, amount }).await.is_ok()
}

async fn ledger(mut entries: mpsc::Receiver<Entry>, written: Arc<AtomicU64>) {
    let mut volume = 0i64;
    while let Some(Entry { from, to, amount }) = entries.recv().await {
        tokio::time::sleep(Duration::from_millis(1)).await;
        volume += amount;
        std::hint::black_box((from, to, volume));
        written.fetch_add(1, Ordering::Relaxed);
    }
}

async fn teller(id: u32, accounts: Accounts, ledger: mpsc::Sender<Entry>) {
    let mut seed = 0x9e37_79b9u32.wrapping_mul(id + 1);
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % n
    };
    for round in 0u32.. {
        let open = accounts.read().await.len() as u32;
        let (from, to, amount) = (next(open), next(open), i64::from(next(50)));
        std::hint::black_box(transfer(accounts.clone(), ledger.clone(), from, to, amount).await);
        if round >= 80 {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

fn auditor(accounts: Accounts, audits: Arc<AtomicU64>) {
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let table = accounts.blocking_read();
        let guards: Vec<_> = table.values().map(|a| a.blocking_lock()).collect();
        let total: i64 = guards.iter().map(|g| g.balance).sum();
        assert_eq!(total % 1000, 0, "money appeared or vanished");
        drop(guards);
        drop(table);
        audits.fetch_add(1, Ordering::Relaxed);
    }
}

async fn account_opener(accounts: Accounts) {
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let mut table = accounts.write().await;
        let id = table.len() as u32;
        table.insert(id, account(1000));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_bank_registry_transfers_id_order_thread_auditor");
    let accounts: Accounts =
        Arc::new(RwLock::new((0..8).map(|id| (id, account(1000))).collect()).named("accounts"));
    let (ledger_tx, entries) = mpsc::channel_named("ledger-entries", 16);
    let written = Arc::new(AtomicU64::new(0));
    let audits = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("ledger", ledger(entries, written.clone()));
    for id in 0..4 {
        peeps::spawn_named(
            format!("teller-{id}"),
            teller(id, accounts.clone(), ledger_tx.clone()),
        );
    }
    drop(ledger_tx);
    peeps::spawn_named("account-opener", account_opener(accounts.clone()));
    let audit_accounts = accounts.clone();
    let audit_count = audits.clone();
    std::thread::Builder::new()
        .name("auditor".into())
        .spawn(move || auditor(audit_accounts, audit_count))
        .expect("auditor thread");
    ready_when(move |_| {
        written.load(Ordering::Relaxed) >= 200 && audits.load(Ordering::Relaxed) >= 2
    });
    park().await
}
