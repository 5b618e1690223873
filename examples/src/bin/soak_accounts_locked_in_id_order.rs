//! Healthy, under steady load: the textbook fix for lock-order
//! deadlocks. A bank keeps its accounts in a `Vec<Mutex<Account>>` (all
//! made in one loop, named `account-0`..`account-5`); a transfer between
//! two accounts locks the one with the lower id first, then the other,
//! holds both 80-200 ms, and lets them go. Six tellers (three
//! `peeps::spawn_named`, three plain `tokio::spawn`) move money between
//! pseudo-random pairs in both directions; an `auditor`
//! (`peeps::spawn_named`) locks all six in id order every 500 ms and sums
//! them. Multi-thread runtime.
//!
//! Every task takes the account locks in increasing id order, so no two
//! can wait on each other. Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock; waits on accounts may be long.

use examples::ready_when;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Account {
    balance: i64,
}

type Bank = Arc<Vec<Mutex<Account>>>;

async fn transfer(bank: &Bank, from: usize, to: usize, amount: i64, hold_ms: u64) {
    let (lo, hi) = if from < to { (from, to) } else { (to, from) };
    let mut first = bank[lo].lock().await;
    let mut second = bank[hi].lock().await;
    let (src, dst) = if from < to {
        (&mut *first, &mut *second)
    } else {
        (&mut *second, &mut *first)
    };
    src.balance -= amount;
    dst.balance += amount;
    tokio::time::sleep(Duration::from_millis(hold_ms)).await;
}

async fn teller(who: u64, bank: Bank, done: Arc<AtomicU64>) {
    let n_accounts = bank.len() as u64;
    for n in 0u64.. {
        let from = ((n * 7 + who * 3) % n_accounts) as usize;
        let mut to = ((n * 5 + who * 11 + 1) % n_accounts) as usize;
        if to == from {
            to = (to + 1) % n_accounts as usize;
        }
        transfer(
            &bank,
            from,
            to,
            1 + (n % 9) as i64,
            80 + (n * 37 + who * 13) % 120,
        )
        .await;
        done.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[peeps::instrument]
async fn audit(bank: Bank, audits: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut guards = Vec::with_capacity(bank.len());
        for account in bank.iter() {
            guards.push(account.lock().await);
        }
        let total: i64 = guards.iter().map(|g| g.balance).sum();
        std::hint::black_box(total);
        drop(guards);
        audits.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_accounts_locked_in_id_order");
    let bank: Bank = Arc::new(
        (0..6)
            .map(|i| Mutex::new(Account { balance: 1_000 }).named(format!("account-{i}")))
            .collect(),
    );
    let done = Arc::new(AtomicU64::new(0));
    let audits = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("auditor", audit(bank.clone(), audits.clone()));
    for who in 1..=3 {
        peeps::spawn_named(
            format!("teller-{who}"),
            teller(who, bank.clone(), done.clone()),
        );
        tokio::spawn(teller(who + 3, bank.clone(), done.clone()));
    }
    ready_when(move |_| done.load(Ordering::Relaxed) >= 20 && audits.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
