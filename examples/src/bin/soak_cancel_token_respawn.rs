//! Healthy, under steady load: a hand-rolled cancellation token (an
//! `AtomicBool` and a `Notify` named `cancel`, as `tokio_util`'s
//! `CancellationToken` without the crate) stops a generation of workers,
//! and a supervisor starts the next. Five workers (`peeps::spawn_named`)
//! each `select!` between `token.cancelled()` and a unit of work: take a
//! permit of `slots` (2 permits), hold it 300 ms. Every 900 ms the
//! supervisor cancels the token (`notify_waiters`), joins the workers
//! with a 500 ms deadline, makes a new token and respawns. Multi-thread
//! runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `slots` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct CancelToken {
    inner: Arc<TokenInner>,
}

struct TokenInner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl CancelToken {
    fn new() -> Self {
        CancelToken {
            inner: Arc::new(TokenInner {
                cancelled: AtomicBool::new(false),
                notify: Notify::new().named("cancel"),
            }),
        }
    }

    fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.inner.cancelled.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

#[peeps::instrument]
async fn worker(token: CancelToken, slots: Arc<Semaphore>, done: Arc<AtomicU64>) {
    loop {
        tokio::select! {
            _ = token.cancelled() => return,
            permit = slots.acquire() => {
                let _permit = permit.expect("never closed");
                tokio::time::sleep(Duration::from_millis(300)).await;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[peeps::instrument]
async fn supervise(slots: Arc<Semaphore>, done: Arc<AtomicU64>, generations: Arc<AtomicU64>) {
    loop {
        let token = CancelToken::new();
        let workers: Vec<_> = (1..=5)
            .map(|i| {
                peeps::spawn_named(
                    format!("worker-{i}"),
                    worker(token.clone(), slots.clone(), done.clone()),
                )
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(900)).await;
        token.cancel();
        for w in workers {
            let abort = w.abort_handle();
            if tokio::time::timeout(Duration::from_millis(500), w)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        generations.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_cancel_token_respawn");
    let slots = Arc::new(Semaphore::new(2).named("slots"));
    let done = Arc::new(AtomicU64::new(0));
    let generations = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "supervisor",
        supervise(slots, done.clone(), generations.clone()),
    );
    ready_when(move |g| {
        generations.load(Ordering::Relaxed) >= 2
            && done.load(Ordering::Relaxed) >= 4
            && waited_on(g, NodeKind::Semaphore, "slots")
    });
    examples::park().await
}
