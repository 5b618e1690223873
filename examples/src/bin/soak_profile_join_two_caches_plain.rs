//! Healthy, under steady load: page handlers that load two things at once
//! with `tokio::join!`, each from its own read-through cache. The app
//! state is made by a `new()` with one `Mutex<HashMap>` per cache
//! (`users`, `orders`: two lines, two classes, no names) beside a
//! counter. Plain `tokio::spawn` of `async move` blocks, no peeps
//! annotation: the way an axum handler does it.
//!
//! `load_user` locks `users` and, on a miss, fetches the row (20-60 ms)
//! under the lock, so that concurrent misses of one key do not stampede
//! the database; `load_orders` does the same with `orders`. The
//! `profile` handlers `join!(load_user, load_orders)`, the `dashboard`
//! handlers `join!(load_orders, load_user)`. So inside one task a branch
//! locks `orders` while the other branch holds `users` (and the other
//! way round in `dashboard`); but each branch holds one lock and waits
//! only for its fetch (a timer), never for the other lock: no branch ever
//! holds one cache while it waits for the other. An evictor clears both
//! caches every 150 ms so that misses keep coming.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct AppState {
    users: Mutex<HashMap<u64, String>>,
    orders: Mutex<HashMap<u64, Vec<u64>>>,
    served: AtomicU64,
}

impl AppState {
    fn new() -> Self {
        AppState {
            users: Mutex::new(HashMap::new()),
            orders: Mutex::new(HashMap::new()),
            served: AtomicU64::new(0),
        }
    }
}

async fn fetch_row(id: u64) {
    tokio::time::sleep(Duration::from_millis(20 + (id * 37) % 40)).await;
}

async fn load_user(state: &AppState, id: u64) -> String {
    let mut users = state.users.lock().await;
    if let Some(user) = users.get(&id) {
        return user.clone();
    }
    fetch_row(id).await;
    let user = format!("user-{id}");
    users.insert(id, user.clone());
    user
}

async fn load_orders(state: &AppState, id: u64) -> Vec<u64> {
    let mut orders = state.orders.lock().await;
    if let Some(list) = orders.get(&id) {
        return list.clone();
    }
    fetch_row(id + 1).await;
    let list = vec![id * 10, id * 10 + 1];
    orders.insert(id, list.clone());
    list
}

async fn profile(state: &AppState, id: u64) -> usize {
    let (user, orders) = tokio::join!(load_user(state, id), load_orders(state, id));
    user.len() + orders.len()
}

async fn dashboard(state: &AppState, id: u64) -> usize {
    let (orders, user) = tokio::join!(load_orders(state, id), load_user(state, id));
    user.len() + orders.len()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_profile_join_two_caches_plain");
    let state = Arc::new(AppState::new());
    for h in 0..2u64 {
        let s = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(profile(&s, (n * 7 + h) % 40).await);
                s.served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        let s = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(dashboard(&s, (n * 11 + h) % 40).await);
                s.served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let s = state.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(150)).await;
                s.users.lock().await.clear();
                s.orders.lock().await.clear();
            }
        });
    }
    let ready = state.clone();
    ready_when(move |_| ready.served.load(Ordering::Relaxed) >= 40);
    park().await
}
