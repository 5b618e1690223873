//! The fixed twin of `shutdown_wait_all_exit_misses_last_waiter_plain`
//! (containerd/ttrpc-rust#227): `wait_all_exit()` creates and enables the
//! `Notified` future first and checks the count of live `Waiter`s after,
//! in a loop, so the last `Waiter`'s `notify_waiters()` cannot be missed.
//!
//! `main` runs generations: three plain connection tasks, each with a
//! `Waiter`, serve until the shutdown signal, then leave 10 ms later;
//! `main` shuts down after 100 ms and waits for all to exit.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
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

struct Waiter {
    shared: Arc<Shared>,
}

impl Waiter {
    async fn wait_shutdown(&self) {
        loop {
            let notified = self.shared.notify_shutdown.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.shared.shutdown.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
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

    /// The fix: the `Notified` is enabled before the count is checked.
    async fn wait_all_exit(&self) {
        loop {
            let exited = self.shared.notify_exit.notified();
            tokio::pin!(exited);
            exited.as_mut().enable();
            let pending = self.shared.waiters.load(Ordering::SeqCst);
            if pending == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            println!("waiting for {pending} connections to exit");
            exited.await;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_shutdown_wait_all_exit_enables_notified_first_plain");
    for generation in 0u32.. {
        let notifier = Notifier {
            shared: Arc::new(Shared {
                shutdown: AtomicBool::new(false),
                notify_shutdown: Notify::new().named("notify-shutdown"),
                waiters: AtomicUsize::new(0),
                notify_exit: Notify::new().named("notify-exit"),
            }),
        };
        for _ in 0..3 {
            let waiter = notifier.subscribe();
            tokio::spawn(async move {
                waiter.wait_shutdown().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                drop(waiter);
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        notifier.shutdown();
        notifier.wait_all_exit().await;
        println!("generation {generation}: server stopped");
        if generation == 3 {
            ready();
        }
    }
}
