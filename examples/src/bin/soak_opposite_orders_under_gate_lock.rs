//! Healthy: two tasks take the `accounts` and `ledger` mutexes in
//! opposite orders, but each only while it holds the `txn-gate` mutex
//! first (a coarse "one transaction at a time" lock added to fix exactly
//! that inversion): `transfer` takes gate, accounts, ledger; `audit` takes
//! gate, ledger, accounts. The gate serialises them, so they can never
//! deadlock. Each holds its locks across a short sleep, forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, and no
//! potential deadlock (the gate lock makes the inversion harmless).

use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_opposite_orders_under_gate_lock");
    let gate = Arc::new(Mutex::new(()).named("txn-gate"));
    let accounts = Arc::new(Mutex::new(0u64).named("accounts"));
    let ledger = Arc::new(Mutex::new(0u64).named("ledger"));
    let (g, a, l) = (gate.clone(), accounts.clone(), ledger.clone());
    peeps::spawn_named("transfer", async move {
        loop {
            {
                let _gate = g.lock().await;
                let mut a = a.lock().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                let mut l = l.lock().await;
                *a += 1;
                *l += 1;
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });
    let (g, a, l) = (gate.clone(), accounts.clone(), ledger.clone());
    peeps::spawn_named("audit", async move {
        loop {
            {
                let _gate = g.lock().await;
                let l = l.lock().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                let a = a.lock().await;
                assert!(*a >= *l || *l >= *a);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    examples::ready();
    examples::park().await;
}
