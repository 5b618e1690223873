//! Healthy: a waiter holds a peeps `Mutex` guard across `notified()` on a
//! peeps `Notify` that a timer task notifies every 250 ms (it never takes
//! the mutex); a second task waits for the mutex. `main` awaits the
//! waiter's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_notify_timer_guard_across_notified");
    let tick = Arc::new(Notify::new().named("tick"));
    let state = Arc::new(Mutex::new(0u64).named("state"));
    {
        let tick = tick.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                tick.notify_one();
            }
        });
    }
    let waiter = {
        let (tick, state) = (tick.clone(), state.clone());
        peeps::spawn_named("waiter", async move {
            loop {
                let mut g = state.lock().await;
                tick.notified().await;
                *g += 1;
                drop(g);
                tokio::task::yield_now().await;
            }
        })
    };
    {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                *state.lock().await += 100;
            }
        });
    }
    ready_when(|g| waiters(g, NodeKind::Notify, "tick") == 1);
    waiter.await.unwrap();
}
