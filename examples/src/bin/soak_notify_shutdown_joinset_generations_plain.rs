//! Healthy, under steady load: a `Notify`-based graceful shutdown of a
//! `JoinSet` of workers, restarted in generations. Plain `tokio::spawn`
//! and `JoinSet::spawn` of `async move` blocks, no peeps annotation, no
//! names.
//!
//! Each generation `main`'s supervisor starts a feeder and four workers.
//! The feeder sends a job every 4 ms into a bounded `jobs` channel whose
//! receiver the workers share behind a `Mutex`; a worker `select!`s
//! between `shutdown.notified()` (enabled before it checks the `stopping`
//! flag, so no wake-up is lost) and taking the next job, which it runs
//! under a permit of a `db` semaphore of 2 and then records in `stats`
//! (a `Mutex`). After 600 ms the supervisor stops the feeder, sets
//! `stopping`, `notify_waiters()`, and drains the `JoinSet` with
//! `join_next()`; then the next generation starts.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Notify, Semaphore, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

struct Shared {
    shutdown: Notify,
    stopping: AtomicBool,
    db: Semaphore,
    stats: Mutex<Vec<u64>>,
    done: AtomicU64,
}

async fn next_job(jobs: &Mutex<mpsc::Receiver<u64>>) -> Option<u64> {
    jobs.lock().await.recv().await
}

async fn worker(shared: Arc<Shared>, jobs: Arc<Mutex<mpsc::Receiver<u64>>>) {
    loop {
        let notified = shared.shutdown.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        tokio::select! {
            _ = &mut notified => return,
            job = next_job(&jobs) => {
                let Some(job) = job else { return };
                let _conn = shared.db.acquire().await.expect("never closed");
                tokio::time::sleep(Duration::from_millis(5 + job % 10)).await;
                drop(_conn);
                let mut stats = shared.stats.lock().await;
                stats.push(job);
                if stats.len() > 64 {
                    stats.clear();
                }
                shared.done.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

async fn generation(shared: Arc<Shared>) {
    shared.stopping.store(false, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel(16);
    let jobs = Arc::new(Mutex::new(rx));
    let feeder = tokio::spawn(async move {
        for n in 0u64.. {
            if tx.send(n).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(4)).await;
        }
    });
    let mut workers = JoinSet::new();
    for _ in 0..4 {
        workers.spawn(worker(shared.clone(), jobs.clone()));
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    feeder.abort();
    shared.stopping.store(true, Ordering::SeqCst);
    shared.shutdown.notify_waiters();
    while let Some(done) = workers.join_next().await {
        done.expect("a worker does not panic");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_notify_shutdown_joinset_generations_plain");
    let shared = Arc::new(Shared {
        shutdown: Notify::new(),
        stopping: AtomicBool::new(false),
        db: Semaphore::new(2),
        stats: Mutex::new(Vec::new()),
        done: AtomicU64::new(0),
    });
    {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                generation(shared.clone()).await;
            }
        });
    }
    let ready = shared.clone();
    ready_when(move |_| ready.done.load(Ordering::Relaxed) >= 150);
    park().await
}
