//! Healthy control: two page renders each fetch two things at once with
//! `tokio::join!`, each branch a plain `async move` block that locks its
//! own cache and holds it across its fetch (a timer). No peeps annotation:
//! plain `tokio::spawn`, a multi-thread runtime with one worker (so no
//! task moves between threads, and the answer does not depend on where
//! tokio resumes a render).
//!
//! The `profile` page joins a `users` branch (locks `users-cache` at once,
//! then fetches for 50 ms) and an `orders` branch (a short lookup first,
//! then locks `orders-cache` and fetches); so within that task
//! `orders-cache` is taken while `users-cache` is held — by another
//! branch, which will release it whatever happens to `orders-cache`. The
//! `history` page, later, is the mirror: `orders-cache` at once,
//! `users-cache` after the lookup. Then a third render holds `users-cache`
//! for an hour (a stuck upstream) and a fourth waits for it.
//!
//! Expected: no deadlock and no potential deadlock: no branch ever holds
//! one cache while it waits for the other. Both branches lock at the one
//! call in `fetch_into`, from two futures alive at once: the same code
//! beside itself, which orders nothing (docs/lock-order.md, "What orders
//! nothing").

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Cache = Arc<Mutex<HashMap<u64, String>>>;

/// Locks `cache` (after `lookup`) and holds it across a fetch of `fetch`.
async fn fetch_into(cache: Cache, lookup: Duration, fetch: Duration, key: u64) -> String {
    tokio::time::sleep(lookup).await;
    let mut cached = cache.lock().await;
    tokio::time::sleep(fetch).await;
    cached
        .entry(key)
        .or_insert_with(|| format!("row {key}"))
        .clone()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    peeps::install_sigusr1("join_branches_lock_each_tokio_spawn");
    let users: Cache = Arc::new(Mutex::new(HashMap::new()).named("users-cache"));
    let orders: Cache = Arc::new(Mutex::new(HashMap::new()).named("orders-cache"));
    let (now, soon, fetch) = (
        Duration::ZERO,
        Duration::from_millis(10),
        Duration::from_millis(50),
    );

    let (u, o) = (users.clone(), orders.clone());
    tokio::spawn(async move {
        let (user, order) = tokio::join!(
            async { fetch_into(u.clone(), now, fetch, 1).await },
            async { fetch_into(o.clone(), soon, fetch, 7).await },
        );
        println!("profile: {user}, {order}");
    })
    .await
    .expect("profile");

    let (u, o) = (users.clone(), orders.clone());
    tokio::spawn(async move {
        let (order, user) = tokio::join!(
            async { fetch_into(o.clone(), now, fetch, 7).await },
            async { fetch_into(u.clone(), soon, fetch, 1).await },
        );
        println!("history: {order}, {user}");
    })
    .await
    .expect("history");

    let stuck = users.clone();
    tokio::spawn(async move { fetch_into(stuck, now, Duration::from_secs(3600), 2).await });
    while users.try_lock().is_ok() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::spawn(async move { fetch_into(users, now, fetch, 3).await });
    ready_when(|g| waiters(g, NodeKind::Mutex, "users-cache") == 1);
    park().await
}
