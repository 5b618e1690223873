//! Hang from containerd/ttrpc-rust#227 ("Fix hang in wait_all_exit"): the
//! server's shutdown `Notifier` counts live `Waiter`s (one per connection
//! task) and `wait_all_exit()` checks the count, then awaits
//! `notify_exit.notified()`; the last `Waiter`'s drop calls
//! `notify_exit.notify_waiters()`. If that last drop lands between the
//! check and the creation of the `Notified` future, the wake-up is lost and,
//! with no wait time configured, `wait_all_exit()` never returns.
//!
//! `#[tokio::main]`, plain `tokio::spawn` connection tasks, each holding a
//! `Waiter`; they leave 10 ms after the shutdown signal (a `Notify`,
//! `notify-shutdown`). `main` shuts down and calls `wait_all_exit()`, which
//! here logs the pending count (an `.await` of 50 ms) between its check and
//! its `notified()`, widening the window the report's thread race hits.
//!
//! Expected: `thread main` is stuck forever on notify `notify-exit`: every
//! `Waiter` is gone, so nothing can call `notify_waiters()` again;
//! `peeps analyze` exits 1.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Notify;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

struct Shared {
    shutdown: AtomicBool,
    notify_shutdown: Notify,
    waiters: AtomicUsize,
    notify_exit: Notify,
}

/// Held by each connection task until it exits.
struct Waiter {
    shared: Arc<Shared>,
}

impl Waiter {
    async fn wait_shutdown(&self) {
        while !self.shared.shutdown.load(Ordering::SeqCst) {
            self.shared.notify_shutdown.notified().await;
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if self.shared.waiters.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.notify_exit.notify_waiters();
        }
    }
}

struct Notifier {
    shared: Arc<Shared>,
}

impl Notifier {
    fn subscribe(&self) -> Waiter {
        self.shared.waiters.fetch_add(1, Ordering::SeqCst);
        Waiter {
            shared: self.shared.clone(),
        }
    }

    fn shutdown(&self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.notify_shutdown.notify_waiters();
    }

    /// The bug: the count is checked before the `Notified` exists.
    async fn wait_all_exit(&self) {
        let pending = self.shared.waiters.load(Ordering::SeqCst);
        if pending == 0 {
            return;
        }
        log_pending(pending).await;
        self.shared.notify_exit.notified().await;
    }
}

async fn log_pending(pending: usize) {
    tokio::time::sleep(Duration::from_millis(50)).await;
    println!("waiting for {pending} connections to exit");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("shutdown_wait_all_exit_misses_last_waiter_plain");
    let notifier = Notifier {
        shared: Arc::new(Shared {
            shutdown: AtomicBool::new(false),
            notify_shutdown: Notify::new().named("notify-shutdown"),
            waiters: AtomicUsize::new(0),
            notify_exit: Notify::new().named("notify-exit"),
        }),
    };
    for conn in 0..3 {
        let waiter = notifier.subscribe();
        tokio::spawn(async move {
            waiter.wait_shutdown().await;
            // Finish the in-flight request.
            tokio::time::sleep(Duration::from_millis(10)).await;
            println!("connection {conn} closed");
            drop(waiter);
        });
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    notifier.shutdown();
    ready_when(|g| waited_on(g, NodeKind::Notify, "notify-exit"));
    notifier.wait_all_exit().await;
    println!("server stopped");
}
