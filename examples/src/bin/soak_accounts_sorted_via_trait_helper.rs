//! Healthy: per-account peeps mutexes (`account`, one class) taken by a
//! `Transfer` trait's default method that always locks the lower id first
//! (sorting the pair), from four `peeps::spawn_named` tellers and two plain
//! `tokio::spawn` auditors that lock three accounts in sorted order through
//! the same helper, each holding its guards across a short sleep. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, MutexGuard};
use std::sync::Arc;
use std::time::Duration;

struct Bank {
    accounts: Vec<Mutex<i64>>,
}

async fn lock_sorted<'a>(bank: &'a Bank, ids: &[usize]) -> Vec<MutexGuard<'a, i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut guards = Vec::new();
    for id in ids {
        guards.push(bank.accounts[id].lock().await);
    }
    guards
}

trait Transfer {
    fn bank(&self) -> &Bank;
    async fn transfer(&self, from: usize, to: usize, amount: i64) {
        let mut g = lock_sorted(self.bank(), &[from, to]).await;
        let (a, b) = if from < to { (0, 1) } else { (1, 0) };
        *g[a] -= amount;
        tokio::time::sleep(Duration::from_millis(15)).await;
        *g[b] += amount;
    }
}

struct Teller(Arc<Bank>);
impl Transfer for Teller {
    fn bank(&self) -> &Bank {
        &self.0
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_accounts_sorted_via_trait_helper");
    let bank = Arc::new(Bank {
        accounts: (0..5).map(|_| Mutex::new(100).named("account")).collect(),
    });
    for t in 0..4usize {
        let teller = Teller(bank.clone());
        peeps::spawn_named("teller", async move {
            let mut i = t;
            loop {
                let from = i % 5;
                let to = (i * 3 + 1) % 5;
                if from != to {
                    teller.transfer(from, to, 1).await;
                }
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    for a in 0..2usize {
        let bank = bank.clone();
        tokio::spawn(async move {
            let mut i = a;
            loop {
                let ids = [(i + 4) % 5, i % 5, (i + 2) % 5];
                let guards = lock_sorted(&bank, &ids).await;
                let _sum: i64 = guards.iter().map(|g| **g).sum();
                tokio::time::sleep(Duration::from_millis(25)).await;
                drop(guards);
                i += 1;
            }
        });
    }
    ready_when(|g| waiters(g, NodeKind::Mutex, "account") >= 2);
    examples::park().await;
}
