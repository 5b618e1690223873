//! Healthy control: on a current-thread runtime, a checkout
//! (`peeps::spawn_named`, no other peeps annotation) takes a `lock_owned`
//! guard of `cart`, writes through it, and parks it in a `Session` struct
//! in the shared session store (`Arc<std::sync::Mutex<Vec<Session>>>`)
//! while the customer pays; a janitor `std::thread` started by `main`
//! expires the sessions after an hour, dropping the guard. The checkout
//! then locks `cart` again for the next order. No other task is alive.
//!
//! Expected: no deadlock, nothing stuck forever: the guard is in shared
//! state the janitor will clear. The bytes it was moved out of may stay in
//! the checkout's state and must not pin it on the checkout.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard};
use std::sync::Arc;
use std::time::Duration;

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
    // The next order waits until the first session expires.
    let mut next = cart.lock().await;
    next.push("pen".to_owned());
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("owned_guard_parked_in_sessions_janitor_thread");
    let cart = Arc::new(Mutex::new(Vec::new()).named("cart"));
    let sessions: Sessions = Arc::default();
    let janitor = sessions.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
            let expired: Vec<Session> = janitor.lock().expect("not poisoned").drain(..).collect();
            for s in expired {
                println!("session {} expired", s.id);
            }
        }
    });
    peeps::spawn_named("checkout", checkout(cart, sessions));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "cart", "lock"));
    park().await
}
