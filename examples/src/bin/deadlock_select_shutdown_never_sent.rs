//! Deadlock: a real `a`/`b` inversion that hangs, one side waiting in a
//! `tokio::select!` against a shutdown that never comes. A `supervisor`
//! (`peeps::spawn_named`) owns the `shutdown` watch sender; it spawns a
//! `mover` and a `flusher` (both `peeps::spawn_named`) and awaits the
//! flusher's `JoinHandle` before it would send shutdown. The `mover`
//! locks `a`, works 100 ms, then `select!`s `b.lock()` against
//! `shutdown.changed()`; the `flusher` locks `b`, works 100 ms, then
//! locks `a`. Multi-thread runtime.
//!
//! Both take their first lock before the other's second: the mover waits
//! for `b` (held by the flusher) or a shutdown (sent only by the
//! supervisor, which waits for the flusher); the flusher waits for `a`
//! (held by the mover). Expected, once it hangs: a certain deadlock of
//! `mover`, `flusher` and `supervisor`.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, watch};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn mover(a: Arc<Mutex<u64>>, b: Arc<Mutex<u64>>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let mut src = a.lock().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        tokio::select! {
            mut dst = b.lock() => {
                *dst += *src;
                *src = 0;
            }
            _ = shutdown.changed() => return,
        }
    }
}

#[peeps::instrument]
async fn flusher(a: Arc<Mutex<u64>>, b: Arc<Mutex<u64>>) {
    loop {
        let mut out = b.lock().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut pending = a.lock().await;
        *out += std::mem::take(&mut *pending);
    }
}

#[peeps::instrument]
async fn supervise(a: Arc<Mutex<u64>>, b: Arc<Mutex<u64>>) {
    let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
    peeps::spawn_named("mover", mover(a.clone(), b.clone(), shutdown_rx));
    let flushing = peeps::spawn_named("flusher", flusher(a, b));
    let _ = flushing.await;
    let _ = shutdown_tx.send(true);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("deadlock_select_shutdown_never_sent");
    let a = Arc::new(Mutex::new(0u64).named("a"));
    let b = Arc::new(Mutex::new(0u64).named("b"));
    peeps::spawn_named("supervisor", supervise(a, b));
    ready_when(|g| waited_on(g, NodeKind::Mutex, "a") && waited_on(g, NodeKind::Mutex, "b"));
    examples::park().await
}
