//! Deadlock (firebase-auth#22, https://github.com/trchopan/firebase-auth/issues/22:
//! "Usage of std Mutex could cause a deadlock in start_key_update ...
//! especially when only one thread is configured"): a blocking mutex
//! guard held across an `.await` on a current-thread runtime, and another
//! task locking that mutex.
//!
//! `#[tokio::main(flavor = "current_thread")]`: `main` is the key updater
//! (its future need not be `Send`, so the compiler accepts the guard
//! across the `.await`): it locks `verifier` (a
//! `peeps::sync::blocking::Mutex`, as `std::sync::Mutex`) and, holding it,
//! fetches the signing keys (an HTTP call, here a 50 ms sleep).
//! Meanwhile a plain `tokio::spawn` request handler verifies a token:
//! `verifier.lock()` blocks the runtime's only thread, so `main`'s timer
//! never fires and it never lets `verifier` go.
//!
//! Expected: one certain deadlock of the handler (a blocking poll parked
//! on `verifier`) and `thread main` (holding `verifier`, never polled
//! again: the runtime's only thread is blocked in the handler's poll).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::blocking::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Verifier {
    keys: Vec<String>,
}

async fn fetch_keys() -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(50)).await;
    vec!["kid-1".into(), "kid-2".into()]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("key_update_std_guard_across_fetch_current_thread");
    let verifier = Arc::new(Mutex::new(Verifier::default()).named("verifier"));
    let handler = verifier.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let ok = handler.lock().keys.iter().any(|k| k == "kid-1");
        println!("token valid: {ok}");
    });
    ready_when(|g| waited_on(g, NodeKind::Mutex, "verifier"));
    // `main` is the key updater (its future need not be `Send`, so the
    // compiler lets the guard cross the `.await`).
    loop {
        let mut v = verifier.lock();
        v.keys = fetch_keys().await;
        drop(v);
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
