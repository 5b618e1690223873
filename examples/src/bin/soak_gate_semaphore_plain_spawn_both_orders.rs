//! Healthy, under steady load: a global maintenance gate, a
//! `peeps::sync::Semaphore::new(1)` named `maintenance-gate`, taken by
//! every job that needs both the `users` and `orders` tables. The jobs
//! are plain `tokio::spawn` tasks of uninstrumented fns: `rebuild` takes
//! the gate, then `users`, then `orders`; `reindex` takes the gate, then
//! `orders`, then `users`; each holds them across a 120 ms sleep (so it
//! resumes on whichever worker), every 60 ms. Two plain handlers lock one
//! table at a time. Multi-thread runtime.
//!
//! Both orders run only while holding the gate's single permit, so never
//! at once. Expected, in every dump: no deadlock, nothing stuck forever,
//! no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Store {
    gate: Semaphore,
    users: Mutex<Vec<u64>>,
    orders: Mutex<Vec<u64>>,
}

async fn rebuild(store: Arc<Store>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let _gate = store.gate.acquire().await.expect("never closed");
        let mut users = store.users.lock().await;
        let mut orders = store.orders.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        users.sort_unstable();
        orders.retain(|o| users.binary_search(o).is_ok());
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

async fn reindex(store: Arc<Store>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let _gate = store.gate.acquire().await.expect("never closed");
        let mut orders = store.orders.lock().await;
        let mut users = store.users.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        orders.truncate(64);
        users.truncate(64);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

async fn handle(who: u64, store: Arc<Store>, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        if (n + who).is_multiple_of(2) {
            store.users.lock().await.push(n);
        } else {
            store.orders.lock().await.push(n);
        }
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gate_semaphore_plain_spawn_both_orders");
    let store = Arc::new(Store {
        gate: Semaphore::new(1).named("maintenance-gate"),
        users: Mutex::new(Vec::new()).named("users"),
        orders: Mutex::new(Vec::new()).named("orders"),
    });
    let runs = Arc::new(AtomicU64::new(0));
    let served = Arc::new(AtomicU64::new(0));
    tokio::spawn(rebuild(store.clone(), runs.clone()));
    tokio::spawn(reindex(store.clone(), runs.clone()));
    for who in 1..=2 {
        tokio::spawn(handle(who, store.clone(), served.clone()));
    }
    ready_when(move |g| {
        runs.load(Ordering::Relaxed) >= 4
            && served.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Semaphore, "maintenance-gate")
    });
    examples::park().await
}
