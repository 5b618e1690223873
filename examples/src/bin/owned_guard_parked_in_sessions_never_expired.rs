//! Deadlock: the twin of `owned_guard_parked_in_sessions_janitor_thread`
//! with no janitor (it was never started). On a current-thread runtime the
//! checkout (`peeps::spawn_named`, no other peeps annotation) parks its
//! `lock_owned` guard of `cart` in a `Session` in the session store, which
//! only it can reach, and locks `cart` again. No other task is alive.
//!
//! Expected: a certain deadlock of the checkout with itself on `cart`,
//! held by the checkout (the guard never left memory only it reaches).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard};
use std::sync::Arc;

struct Session {
    id: u32,
    _cart: OwnedMutexGuard<Vec<String>>,
}

type Sessions = Arc<std::sync::Mutex<Vec<Session>>>;

async fn checkout(cart: Arc<Mutex<Vec<String>>>, sessions: Sessions) {
    let mut items = cart.clone().lock_owned().await;
    items.push("book".to_owned());
    sessions.lock().expect("not poisoned").push(Session {
        id: 1,
        _cart: items,
    });
    // The bug: nothing ever expires the session that holds `cart`.
    let mut next = cart.lock().await;
    next.push("pen".to_owned());
    let open = sessions.lock().expect("not poisoned").len();
    println!(
        "{open} sessions open; first {:?}",
        sessions.lock().expect("not poisoned").first().map(|s| s.id)
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("owned_guard_parked_in_sessions_never_expired");
    let cart = Arc::new(Mutex::new(Vec::new()).named("cart"));
    let sessions: Sessions = Arc::default();
    peeps::spawn_named("checkout", checkout(cart, sessions));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "cart", "lock"));
    park().await
}
