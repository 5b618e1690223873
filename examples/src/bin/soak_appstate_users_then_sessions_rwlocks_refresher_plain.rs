//! Healthy, under steady load: an axum-style `Arc<AppState>` with two
//! `RwLock<HashMap>` caches, always taken in the same order, `users`
//! then `sessions`.
//!
//! - eight plain "handlers" take `users` for reading, then, still holding
//!   it, `sessions` for reading, await a 3 ms "render", and count the hit
//!   under `hits` after both guards are gone;
//! - two plain "login" handlers write `sessions` alone every 15 ms;
//! - a plain refresher, on a 250 ms `interval`, takes `users` for writing,
//!   keeps it across a 60 ms "fetch from the database", and then, still
//!   holding it, takes `sessions` for writing to drop the sessions of
//!   users that are gone.
//!
//! Handlers holding `users` wait for `sessions` behind a login writer;
//! the refresher waits for `users` behind the handlers' reads; new
//! handlers queue behind it. One lock order only.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct AppState {
    users: RwLock<HashMap<u64, String>>,
    sessions: RwLock<HashMap<u64, u64>>,
    hits: Mutex<u64>,
}

async fn show_profile(state: &AppState, session: u64) -> Option<String> {
    let users = state.users.read().await;
    let sessions = state.sessions.read().await;
    let user = *sessions.get(&session)?;
    let name = users.get(&user)?.clone();
    tokio::time::sleep(Duration::from_millis(3)).await;
    Some(name)
}

async fn login(state: &AppState, session: u64, user: u64) {
    state.sessions.write().await.insert(session, user);
}

async fn refresh_users(state: &AppState, round: u64) {
    let mut users = state.users.write().await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    users.clear();
    for u in 0..20 {
        if !(u + round).is_multiple_of(7) {
            users.insert(u, format!("user-{u}"));
        }
    }
    let mut sessions = state.sessions.write().await;
    sessions.retain(|_, user| users.contains_key(user));
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_appstate_users_then_sessions_rwlocks_refresher_plain");
    let state = Arc::new(AppState {
        users: RwLock::new(HashMap::new()).named("users"),
        sessions: RwLock::new(HashMap::new()).named("sessions"),
        hits: Mutex::new(0).named("hits"),
    });
    let served = Arc::new(AtomicU64::new(0));
    for h in 0..8u64 {
        let state = state.clone();
        let served = served.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let found = show_profile(&state, (n + h) % 30).await;
                if found.is_some() {
                    *state.hits.lock().await += 1;
                }
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        });
    }
    for l in 0..2u64 {
        let state = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                login(&state, (n * 2 + l) % 30, (n * 3) % 20).await;
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        });
    }
    {
        let state = state.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(250));
            for round in 0u64.. {
                every.tick().await;
                refresh_users(&state, round).await;
            }
        });
    }
    ready_when(move |_| served.load(Ordering::Relaxed) >= 200);
    park().await
}
