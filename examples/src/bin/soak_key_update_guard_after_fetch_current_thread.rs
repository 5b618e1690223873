//! The fixed twin of `key_update_std_guard_across_fetch_current_thread`
//! (firebase-auth#22): the key updater fetches the keys first and locks
//! `verifier` (a `peeps::sync::blocking::Mutex`) only to store them, so no
//! guard crosses an `.await`. On the same current-thread runtime it
//! refreshes every 100 ms while plain request handlers verify a token
//! every 20 ms.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::{park, ready};
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
    peeps::install_sigusr1("soak_key_update_guard_after_fetch_current_thread");
    let verifier = Arc::new(Mutex::new(Verifier::default()).named("verifier"));
    let updater = verifier.clone();
    tokio::spawn(async move {
        loop {
            let keys = fetch_keys().await;
            updater.lock().keys = keys;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    for h in 0..2 {
        let handler = verifier.clone();
        tokio::spawn(async move {
            let mut valid = 0u64;
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if handler.lock().keys.iter().any(|k| k == "kid-1") {
                    valid += 1;
                }
                if valid % 50 == 1 {
                    println!("handler {h}: {valid} valid tokens");
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    ready();
    park().await
}
