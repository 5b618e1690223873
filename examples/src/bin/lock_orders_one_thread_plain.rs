//! Healthy control: three plain tasks on a current-thread runtime, the
//! locks always taken in one order. No peeps annotation at all: plain
//! `tokio::spawn` of `async move` blocks, `#[tokio::main(flavor =
//! "current_thread")]`.
//!
//! A flusher holds `config` across a slow write-out (a timer); meanwhile
//! a handler, on the same thread, takes `cache` alone, briefly; a
//! reloader takes `cache`, then `config` (and waits for the flusher).
//! The only order taken is `cache` before `config`.
//!
//! Expected: no deadlock, no potential deadlock: `config` is never held
//! while `cache` is taken.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("lock_orders_one_thread_plain");
    let config = Arc::new(Mutex::new(String::from("v1")).named("config"));
    let cache = Arc::new(Mutex::new(HashMap::<u64, String>::new()).named("cache"));
    let (flushing, flusher_locked) = oneshot::channel_named("flusher-locked");
    let (handled, handler_done) = oneshot::channel_named("handler-done");

    let for_flusher = config.clone();
    tokio::spawn(async move {
        let current = for_flusher.lock().await;
        let _ = flushing.send(());
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("flushed {}", *current);
    });
    let _ = flusher_locked.await;

    let for_handler = cache.clone();
    tokio::spawn(async move {
        for_handler.lock().await.insert(1, "one".to_string());
        let _ = handled.send(());
    });
    let _ = handler_done.await;

    tokio::spawn(async move {
        let mut entries = cache.lock().await;
        let version = config.lock().await.clone();
        entries.clear();
        println!("reloaded to {version}");
    });

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "config", "lock"));
    park().await
}
