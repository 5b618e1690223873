//! Healthy, under steady load: graceful shutdown with a hand-rolled
//! cancellation token, generation after generation. `Token` wraps a
//! `watch::Receiver<bool>` (`cancelled()` is `wait_for(|c| *c)`); a
//! `ChildToken` is an `Arc` of an `AtomicBool` and a `Notify`, cancelled
//! by a plain forwarder when the parent is, and awaited the careful way
//! (`notified()` made and `enable()`d before the flag is checked). Each
//! generation a plain supervisor spawns four workers into a tokio
//! `JoinSet`: each `select!`s `token.cancelled()` (two use the child
//! token) against `jobs` (one shared `Arc<Mutex<Receiver>>`, locked and
//! received from in one async block that the `select!` drops when the
//! token wins) fed by a plain producer (bursts of 20 jobs 3 ms apart,
//! then 500 ms of quiet), and handles a
//! job under a `Mutex` of results. After 1.5 s the supervisor cancels,
//! drains the `JoinSet` with `join_next`, and starts over with a fresh
//! token. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Notify, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

#[derive(Clone)]
struct Token {
    rx: watch::Receiver<bool>,
}

impl Token {
    async fn cancelled(&mut self) {
        let _ = self.rx.wait_for(|c| *c).await;
    }
}

#[derive(Clone, Default)]
struct ChildToken {
    inner: Arc<(AtomicBool, Notify)>,
}

impl ChildToken {
    fn cancel(&self) {
        self.inner.0.store(true, Ordering::SeqCst);
        self.inner.1.notify_waiters();
    }

    async fn cancelled(&self) {
        loop {
            let notified = self.inner.1.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.inner.0.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

enum Stop {
    Parent(Token),
    Child(ChildToken),
}

impl Stop {
    async fn wait(&mut self) {
        match self {
            Stop::Parent(t) => t.cancelled().await,
            Stop::Child(c) => c.cancelled().await,
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_cancel_token_watch_child_notify_joinset_generations_plain");
    let (jobs_tx, jobs_rx) = mpsc::channel::<u64>(16);
    let jobs = Arc::new(Mutex::new(jobs_rx));
    let results = Arc::new(Mutex::new(Vec::<u64>::new()));
    let generations = Arc::new(AtomicU64::new(0));

    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(3)).await;
            if jobs_tx.send(n).await.is_err() {
                return;
            }
            if n % 20 == 19 {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    });

    let g = generations.clone();
    tokio::spawn(async move {
        loop {
            let (cancel_tx, cancel_rx) = watch::channel(false);
            let parent = Token { rx: cancel_rx };
            let child = ChildToken::default();
            let (mut p, c) = (parent.clone(), child.clone());
            tokio::spawn(async move {
                p.cancelled().await;
                c.cancel();
            });

            let mut set = JoinSet::new();
            for w in 0..4u64 {
                let mut stop = if w.is_multiple_of(2) {
                    Stop::Parent(parent.clone())
                } else {
                    Stop::Child(child.clone())
                };
                let (jobs, results) = (jobs.clone(), results.clone());
                set.spawn(async move {
                    let mut handled = 0u64;
                    loop {
                        tokio::select! {
                            _ = stop.wait() => return handled,
                            job = async { jobs.lock().await.recv().await } => {
                                let Some(job) = job else { return handled };
                                let mut r = results.lock().await;
                                r.push(job);
                                if r.len() > 256 {
                                    r.clear();
                                }
                                handled += 1;
                            }
                        }
                    }
                });
            }
            drop(parent);

            tokio::time::sleep(Duration::from_millis(1500)).await;
            let _ = cancel_tx.send(true);
            let mut total = 0;
            while let Some(res) = set.join_next().await {
                total += res.expect("a worker ends cleanly");
            }
            let _ = total;
            g.fetch_add(1, Ordering::Relaxed);
        }
    });

    ready_when(move |_| generations.load(Ordering::Relaxed) >= 1);
    park().await
}
