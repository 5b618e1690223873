//! Healthy, under steady load: per-tenant locks made on demand, every
//! one named `tenant` (one call site), in a `tenant-index`
//! (`peeps::sync::RwLock<HashMap<u64, Arc<Mutex<Tenant>>>>`: a read to
//! find, a write to insert a missing one). A transfer reads the
//! read-mostly `limits` config, keeps that read guard, takes both
//! tenants' `lock_owned` guards in increasing tenant id, and moves the
//! two owned guards into an `apply-transfer` task (`peeps::spawn_named`)
//! that applies and journals it; the teller awaits that task.
//!
//! Four tellers (two `peeps::spawn_named`, two plain `tokio::spawn`)
//! transfer between pseudo-random tenants of 0..6 every 30 ms. An
//! `auditor` (`peeps::spawn_named`) every 400 ms takes every existing
//! tenant's owned guard in id order and sums the balances on
//! `spawn_blocking`, the guards moved into the closure. A
//! `limits-reload` writes `limits` every 700 ms, holding nothing else.
//!
//! Every task takes `limits` (read) before any tenant, and tenants in
//! increasing id. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock; waits on tenants may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const TENANTS: u64 = 6;

struct Tenant {
    balance: i64,
    history: Vec<i64>,
}

struct Limits {
    max_transfer: i64,
}

struct Bank {
    index: RwLock<HashMap<u64, Arc<Mutex<Tenant>>>>,
    limits: RwLock<Limits>,
    transfers: AtomicU64,
}

impl Bank {
    async fn tenant(&self, id: u64) -> Arc<Mutex<Tenant>> {
        if let Some(t) = self.index.read().await.get(&id) {
            return t.clone();
        }
        let mut index = self.index.write().await;
        index
            .entry(id)
            .or_insert_with(|| {
                Arc::new(
                    Mutex::new(Tenant {
                        balance: 1_000,
                        history: Vec::new(),
                    })
                    .named("tenant"),
                )
            })
            .clone()
    }

    async fn transfer(self: &Arc<Self>, from: u64, to: u64, amount: i64) {
        if from == to {
            return;
        }
        let limits = self.limits.read().await;
        let amount = amount.min(limits.max_transfer);
        let (lo, hi) = (from.min(to), from.max(to));
        let lo_lock = self.tenant(lo).await;
        let hi_lock = self.tenant(hi).await;
        let lo_guard = lo_lock.lock_owned().await;
        let hi_guard = hi_lock.lock_owned().await;
        let (from_guard, to_guard) = if from == lo {
            (lo_guard, hi_guard)
        } else {
            (hi_guard, lo_guard)
        };
        let bank = self.clone();
        let apply = peeps::spawn_named(
            "apply-transfer",
            apply_transfer(from_guard, to_guard, amount, bank),
        );
        let _ = apply.await;
        drop(limits);
    }
}

async fn apply_transfer(
    mut from: OwnedMutexGuard<Tenant>,
    mut to: OwnedMutexGuard<Tenant>,
    amount: i64,
    bank: Arc<Bank>,
) {
    tokio::time::sleep(Duration::from_millis(3)).await;
    from.balance -= amount;
    from.history.push(-amount);
    to.balance += amount;
    to.history.push(amount);
    for t in [&mut from, &mut to] {
        if t.history.len() > 32 {
            t.history.drain(..16);
        }
    }
    bank.transfers.fetch_add(1, Ordering::Relaxed);
}

async fn teller(bank: Arc<Bank>, seed: u64) {
    let mut x = seed
        .wrapping_mul(2862933555777941757)
        .wrapping_add(3037000493);
    let mut tick = tokio::time::interval(Duration::from_millis(30));
    loop {
        tick.tick().await;
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let from = (x >> 33) % TENANTS;
        let to = (x >> 17) % TENANTS;
        bank.transfer(from, to, ((x >> 40) % 50) as i64).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tenant_locks_on_demand_owned_guards_id_order");
    let bank = Arc::new(Bank {
        index: RwLock::new(HashMap::new()).named("tenant-index"),
        limits: RwLock::new(Limits { max_transfer: 40 }).named("limits"),
        transfers: AtomicU64::new(0),
    });
    for i in 0..4u64 {
        if i % 2 == 0 {
            peeps::spawn_named(format!("teller-{i}"), teller(bank.clone(), i));
        } else {
            tokio::spawn(teller(bank.clone(), i));
        }
    }
    let b = bank.clone();
    peeps::spawn_named("limits-reload", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(700));
        let mut round = 0i64;
        loop {
            tick.tick().await;
            round += 1;
            b.limits.write().await.max_transfer = 30 + round % 20;
        }
    });
    let b = bank.clone();
    let audits = Arc::new(AtomicU64::new(0));
    let a = audits.clone();
    let auditor = peeps::spawn_named("auditor", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(400));
        loop {
            tick.tick().await;
            let _limits = b.limits.read().await;
            let mut ids: Vec<u64> = b.index.read().await.keys().copied().collect();
            ids.sort_unstable();
            let mut guards = Vec::new();
            for id in ids {
                guards.push(b.tenant(id).await.lock_owned().await);
            }
            let total =
                tokio::task::spawn_blocking(move || guards.iter().map(|g| g.balance).sum::<i64>())
                    .await
                    .expect("sum");
            println!("audit: {total} across the locked tenants");
            a.fetch_add(1, Ordering::Relaxed);
        }
    });
    ready_when(move |g| {
        bank.transfers.load(Ordering::Relaxed) >= 80
            && audits.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "tenant")
    });
    let _ = auditor.await;
}
