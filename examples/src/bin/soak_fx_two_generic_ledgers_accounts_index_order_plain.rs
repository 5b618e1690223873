//! Healthy, under steady load: a payments service with per-account locks
//! and two ledgers of one generic type. Accounts are a `Vec<Mutex<..>>`
//! (one construction site); plain transfers lock the lower index first,
//! then the higher, and sleep 1 ms holding both; a plain interest task
//! locks every account in index order, keeping the guards in a `Vec`
//! across a 300 ms posting run, every second. `Ledger<C>` (made in `Ledger::new`, so both instances
//! share their lock sites) has `entries` and `totals` mutexes, always
//! taken `entries` then `totals`; `Ledger<Eur>` and `Ledger<Usd>` are two
//! instances. A plain FX task converts by locking the EUR ledger's
//! `entries`, then the USD ledger's `entries` (EUR always first), then
//! each `totals` in the same instance order; plain bookers write one
//! ledger at a time. Nothing annotated or named.
//!
//! Every lock order is one-way by instance. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, MutexGuard};
use std::marker::PhantomData;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Eur;
struct Usd;

struct Ledger<C> {
    entries: Mutex<Vec<i64>>,
    totals: Mutex<i64>,
    _currency: PhantomData<fn() -> C>,
}

impl<C> Ledger<C> {
    fn new() -> Self {
        Ledger {
            entries: Mutex::new(Vec::new()),
            totals: Mutex::new(0),
            _currency: PhantomData,
        }
    }

    async fn book(&self, amount: i64) {
        let mut entries = self.entries.lock().await;
        let mut totals = self.totals.lock().await;
        entries.push(amount);
        *totals += amount;
        if entries.len() > 1000 {
            entries.drain(..500);
        }
    }
}

#[derive(Default)]
struct Account {
    balance: i64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_fx_two_generic_ledgers_accounts_index_order_plain");
    let accounts: Arc<Vec<Mutex<Account>>> = Arc::new(
        (0..8)
            .map(|_| Mutex::new(Account { balance: 1_000 }))
            .collect(),
    );
    let eur = Arc::new(Ledger::<Eur>::new());
    let usd = Arc::new(Ledger::<Usd>::new());
    let transfers = Arc::new(AtomicU64::new(0));
    let conversions = Arc::new(AtomicU64::new(0));

    for t in 0..6u64 {
        let (accounts, done) = (accounts.clone(), transfers.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(2 + t)).await;
                let from = ((n * 3 + t) % 8) as usize;
                let to = ((n * 5 + t + 1) % 8) as usize;
                if from == to {
                    continue;
                }
                let (lo, hi) = (from.min(to), from.max(to));
                let mut a = accounts[lo].lock().await;
                let mut b = accounts[hi].lock().await;
                tokio::time::sleep(Duration::from_millis(1)).await;
                let amount = 5;
                if lo == from {
                    a.balance -= amount;
                    b.balance += amount;
                } else {
                    b.balance -= amount;
                    a.balance += amount;
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    let acc = accounts.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let mut all: Vec<MutexGuard<'_, Account>> = Vec::with_capacity(acc.len());
            for account in acc.iter() {
                all.push(account.lock().await);
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            for a in all.iter_mut() {
                a.balance += a.balance / 1000;
            }
        }
    });

    let (e, u, c) = (eur.clone(), usd.clone(), conversions.clone());
    tokio::spawn(async move {
        for n in 0i64.. {
            tokio::time::sleep(Duration::from_millis(4)).await;
            let mut eur_entries = e.entries.lock().await;
            let mut usd_entries = u.entries.lock().await;
            let mut eur_totals = e.totals.lock().await;
            let mut usd_totals = u.totals.lock().await;
            tokio::time::sleep(Duration::from_millis(1)).await;
            eur_entries.push(-n);
            usd_entries.push(n * 108 / 100);
            *eur_totals -= n;
            *usd_totals += n * 108 / 100;
            c.fetch_add(1, Ordering::Relaxed);
        }
    });

    for b in 0..4i64 {
        let (e, u) = (eur.clone(), usd.clone());
        tokio::spawn(async move {
            for n in 0i64.. {
                tokio::time::sleep(Duration::from_millis(3 + b as u64)).await;
                if (n + b) % 2 == 0 {
                    e.book(n).await;
                } else {
                    u.book(-n).await;
                }
            }
        });
    }

    ready_when(move |_| {
        transfers.load(Ordering::Relaxed) >= 100 && conversions.load(Ordering::Relaxed) >= 20
    });
    park().await
}
