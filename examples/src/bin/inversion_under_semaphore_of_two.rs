//! Potential deadlock: two maintenance jobs take `users` and `orders` in
//! opposite orders, each while holding a permit of `maintenance-slots`, a
//! `peeps::sync::Semaphore::new(2)` (two jobs may run at once). At startup
//! main runs a `migrator` (`peeps::spawn_named`: a permit, `users`, then
//! `orders`) and awaits it, then a `backfiller` (a permit, `orders`, then
//! `users`) and awaits it. Multi-thread runtime.
//!
//! A permit of a semaphore of two keeps nobody out: both jobs fit at once,
//! and then they deadlock. Expected: no deadlock, nothing stuck forever;
//! one potential deadlock: `migrator` took `users` then `orders`,
//! `backfiller` took `orders` then `users`; no gate on either order.

use examples::ready_when;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Db {
    slots: Semaphore,
    users: Mutex<Vec<u64>>,
    orders: Mutex<Vec<u64>>,
}

#[peeps::instrument]
async fn migrate(db: Arc<Db>) {
    let _slot = db.slots.acquire().await.expect("never closed");
    let mut users = db.users.lock().await;
    let mut orders = db.orders.lock().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    users.push(1);
    orders.push(1);
}

#[peeps::instrument]
async fn backfill(db: Arc<Db>) {
    let _slot = db.slots.acquire().await.expect("never closed");
    let mut orders = db.orders.lock().await;
    let users = db.users.lock().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let n = users.len() as u64;
    orders.push(n);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("inversion_under_semaphore_of_two");
    let db = Arc::new(Db {
        slots: Semaphore::new(2).named("maintenance-slots"),
        users: Mutex::new(Vec::new()).named("users"),
        orders: Mutex::new(Vec::new()).named("orders"),
    });
    let jobs = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("migrator", migrate(db.clone()))
        .await
        .expect("migrator");
    jobs.fetch_add(1, Ordering::Relaxed);
    peeps::spawn_named("backfiller", backfill(db.clone()))
        .await
        .expect("backfiller");
    jobs.fetch_add(1, Ordering::Relaxed);
    ready_when(move |_| jobs.load(Ordering::Relaxed) == 2);
    examples::park().await
}
