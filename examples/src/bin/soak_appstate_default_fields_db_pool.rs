//! Healthy, under steady load: an axum-style `AppState` whose tables are
//! a `#[derive(Default)]` struct of `peeps::sync::Mutex` fields (`users`,
//! `orders`: unnamed, as `Default` cannot name them), beside a database
//! pool, `db-pool`, a semaphore of 2 connections. Plain `tokio::spawn` of
//! `async move` blocks, no peeps annotation.
//!
//! - `signup` (two handlers) locks `users`, and on a new user takes a
//!   connection to insert the row (40 ms) before filing it: `users` then
//!   `db-pool`, so that two signups of one name cannot both insert.
//! - `checkout` (two handlers) takes a connection, writes the order (60
//!   ms) and, still in the transaction's scope, appends it to `orders`:
//!   `db-pool` then `orders`.
//! - a reporter locks `orders` alone.
//!
//! `users` and `orders` are two different locks: nobody holding `orders`
//! ever waits for anything, so the two orders cannot close a cycle.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `db-pool`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Tables {
    users: Mutex<HashMap<u64, String>>,
    orders: Mutex<Vec<(u64, u64)>>,
}

struct AppState {
    tables: Tables,
    db: Semaphore,
    served: AtomicU64,
}

async fn signup(state: &AppState, id: u64) {
    let mut users = state.tables.users.lock().await;
    if let std::collections::hash_map::Entry::Vacant(slot) = users.entry(id) {
        let _conn = state.db.acquire().await.expect("the pool is never closed");
        tokio::time::sleep(Duration::from_millis(40)).await;
        slot.insert(format!("user-{id}"));
    }
}

async fn checkout(state: &AppState, user: u64, order: u64) {
    let _conn = state.db.acquire().await.expect("the pool is never closed");
    tokio::time::sleep(Duration::from_millis(60)).await;
    state.tables.orders.lock().await.push((user, order));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_appstate_default_fields_db_pool");
    let state = Arc::new(AppState {
        tables: Tables::default(),
        db: Semaphore::new(2).named("db-pool"),
        served: AtomicU64::new(0),
    });
    for h in 0..2u64 {
        let signups = state.clone();
        tokio::spawn(async move {
            let state = signups;
            for n in 0u64.. {
                signup(&state, h * 1_000_000 + n).await;
                state.served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        });
        let state = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                checkout(&state, n % 50, h * 1_000_000 + n).await;
                state.served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let orders = state.tables.orders.lock().await;
                std::hint::black_box(orders.len());
            }
        });
    }
    let ready = state.clone();
    ready_when(move |g| {
        ready.served.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Semaphore, "db-pool")
    });
    park().await
}
