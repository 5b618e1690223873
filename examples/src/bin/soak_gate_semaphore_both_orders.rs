//! Healthy, under steady load: two maintenance jobs that take two table
//! locks in opposite orders, but only while holding the single permit of
//! `maintenance-window` (a `peeps::sync::Semaphore` of 1, the gate). A
//! `migrator` takes the permit, then `users`, then `orders`; a
//! `backfiller` takes the permit, then `orders`, then `users`; each holds
//! them 150 ms, every 100 ms (both `peeps::spawn_named`). Four handlers
//! (two `peeps::spawn_named`, two plain `tokio::spawn`) lock one table at
//! a time. Multi-thread runtime.
//!
//! Both orders run only under the gate, so never at once. Expected, in
//! every dump: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Db {
    window: Semaphore,
    users: Mutex<Vec<u64>>,
    orders: Mutex<Vec<u64>>,
}

#[peeps::instrument]
async fn migrate(db: Arc<Db>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _window = db.window.acquire().await.expect("never closed");
        let mut users = db.users.lock().await;
        let mut orders = db.orders.lock().await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        users.truncate(32);
        orders.truncate(32);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn backfill(db: Arc<Db>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _window = db.window.acquire().await.expect("never closed");
        let mut orders = db.orders.lock().await;
        let mut users = db.users.lock().await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let n = orders.len() as u64;
        users.push(n);
        orders.push(n);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

async fn handle(who: u64, db: Arc<Db>, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        if (n + who).is_multiple_of(2) {
            db.users.lock().await.push(n);
        } else {
            db.orders.lock().await.push(n);
        }
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gate_semaphore_both_orders");
    let db = Arc::new(Db {
        window: Semaphore::new(1).named("maintenance-window"),
        users: Mutex::new(Vec::new()).named("users"),
        orders: Mutex::new(Vec::new()).named("orders"),
    });
    let runs = Arc::new(AtomicU64::new(0));
    let served = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("migrator", migrate(db.clone(), runs.clone()));
    peeps::spawn_named("backfiller", backfill(db.clone(), runs.clone()));
    for who in 1..=2 {
        peeps::spawn_named(
            format!("handler-{who}"),
            handle(who, db.clone(), served.clone()),
        );
        tokio::spawn(handle(who + 2, db.clone(), served.clone()));
    }
    ready_when(move |g| {
        runs.load(Ordering::Relaxed) >= 4
            && served.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Semaphore, "maintenance-window")
    });
    examples::park().await
}
