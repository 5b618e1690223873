//! Healthy, idle after a graceful restart: a service of four
//! `peeps::spawn_named` workers, each with its own `worker-inbox`, stopped
//! by a `watch<bool>` (`shutdown`) and reporting back through a `Notify`
//! (`all-drained`). A worker `select!`s on its inbox and on
//! `shutdown.changed()`; on shutdown it closes its inbox, drains what is
//! left in it, and the last one out (an `AtomicUsize` count) calls
//! `notify_one`. The `service-manager` (`peeps::spawn_named`) runs a
//! generation, has a plain `tokio::spawn` load generator fill the inboxes
//! (60 jobs), sends `true`, awaits `all-drained.notified()`, then starts
//! the next generation. After the restart the new workers wait on their
//! empty inboxes and on `shutdown`, whose sender the manager keeps while
//! it waits for ctrl-c.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Notify, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

struct Job {
    id: u64,
}

struct Generation {
    inboxes: Vec<mpsc::Sender<Job>>,
    shutdown: watch::Sender<bool>,
    drained: Arc<Notify>,
}

async fn worker(
    mut inbox: mpsc::Receiver<Job>,
    mut shutdown: watch::Receiver<bool>,
    alive: Arc<AtomicUsize>,
    drained: Arc<Notify>,
    done: Arc<Mutex<Vec<u64>>>,
) {
    loop {
        tokio::select! {
            job = inbox.recv() => match job {
                Some(job) => {
                    tokio::time::sleep(Duration::from_millis(4)).await;
                    done.lock().await.push(job.id);
                }
                None => break,
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    break;
                }
            }
        }
    }
    // Drain: take no more, finish what was queued.
    inbox.close();
    while let Some(job) = inbox.recv().await {
        done.lock().await.push(job.id);
    }
    if alive.fetch_sub(1, Ordering::AcqRel) == 1 {
        drained.notify_one();
    }
}

fn start_generation(done: &Arc<Mutex<Vec<u64>>>, number: u32) -> Generation {
    let (shutdown, watcher) = watch::channel_named("shutdown", false);
    let drained = Arc::new(Notify::new().named("all-drained"));
    let alive = Arc::new(AtomicUsize::new(4));
    let mut inboxes = Vec::new();
    for w in 0..4 {
        let (tx, rx) = mpsc::channel_named("worker-inbox", 32);
        inboxes.push(tx);
        peeps::spawn_named(
            format!("worker-g{number}-{w}"),
            worker(
                rx,
                watcher.clone(),
                alive.clone(),
                drained.clone(),
                done.clone(),
            ),
        );
    }
    Generation {
        inboxes,
        shutdown,
        drained,
    }
}

async fn service_manager(done: Arc<Mutex<Vec<u64>>>, restarted: Arc<AtomicU64>) {
    let first = start_generation(&done, 1);
    let inboxes = first.inboxes.clone();
    let load = tokio::spawn(async move {
        for id in 0..60u64 {
            let _ = inboxes[(id % 4) as usize].send(Job { id }).await;
        }
    });
    let _ = load.await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let _ = first.shutdown.send(true);
    first.drained.notified().await;
    drop(first);
    let second = start_generation(&done, 2);
    restarted.fetch_add(1, Ordering::Relaxed);
    // Serve until ctrl-c, then stop the same way.
    if tokio::signal::ctrl_c().await.is_ok() {
        let _ = second.shutdown.send(true);
        second.drained.notified().await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_graceful_shutdown_watch_notify_drain_inboxes");
    let done = Arc::new(Mutex::new(Vec::new()).named("jobs-done"));
    let restarted = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("service-manager", service_manager(done, restarted.clone()));
    ready_when(move |_| restarted.load(Ordering::Relaxed) == 1);
    park().await
}
