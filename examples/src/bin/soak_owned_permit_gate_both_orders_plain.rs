//! Healthy, under steady load: two maintenance jobs that take `users` and
//! `orders` in opposite orders, each only while holding the single permit
//! of a `maintenance` semaphore, taken the way most code takes a permit
//! of an `Arc<Semaphore>`: `maintenance.clone().acquire_owned()`, the
//! permit kept in a local for the whole job (never moved). Plain
//! `tokio::spawn`, no peeps annotation, no names.
//!
//! - `migrate`: permit, then `users`, then `orders` (10 ms inside);
//! - `backfill`: permit, then `orders`, then `users`;
//! - handlers lock one table at a time.
//!
//! Only the permit's holder can be inside either order, so the two can
//! never meet.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Db {
    users: Mutex<Vec<u64>>,
    orders: Mutex<Vec<u64>>,
    maintenance: Arc<Semaphore>,
    runs: AtomicU64,
}

async fn migrate(db: &Db, n: u64) {
    let _window = db
        .maintenance
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    let mut users = db.users.lock().await;
    let mut orders = db.orders.lock().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    users.retain(|u| u % 3 != n % 3);
    orders.retain(|o| o % 5 != n % 5);
}

async fn backfill(db: &Db, n: u64) {
    let _window = db
        .maintenance
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    let mut orders = db.orders.lock().await;
    let mut users = db.users.lock().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    orders.push(n);
    users.push(n);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_owned_permit_gate_both_orders_plain");
    let db = Arc::new(Db {
        users: Mutex::new(Vec::new()),
        orders: Mutex::new(Vec::new()),
        maintenance: Arc::new(Semaphore::new(1)),
        runs: AtomicU64::new(0),
    });
    {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                migrate(&db, n).await;
                db.runs.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        });
    }
    {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                backfill(&db, n).await;
                db.runs.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(12)).await;
            }
        });
    }
    for h in 0..3u64 {
        let db = db.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                if (n + h).is_multiple_of(2) {
                    db.users.lock().await.push(n);
                } else {
                    db.orders.lock().await.push(n);
                }
                tokio::time::sleep(Duration::from_millis(4)).await;
            }
        });
    }
    let ready = db.clone();
    ready_when(move |_| ready.runs.load(Ordering::Relaxed) >= 20);
    park().await
}
