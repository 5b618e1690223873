//! Healthy, under steady load, on a current-thread runtime: three workers
//! share one job queue (`Arc<Mutex<mpsc::Receiver>>`, the lock `jobs-rx`)
//! and, in a loop, `select!` between a reload signal (`watch`
//! `reload`) and taking the next job: lock the receiver, `recv()` under
//! the lock. The worker holding the lock waits on `jobs` for the
//! dispatcher, which sends a job every 400 ms; the others wait for the
//! lock. Every 1.1 s an admin bumps `reload`: every worker's `select!`
//! drops its pending lock or receive and starts over. A job is handled in
//! 30 ms. Workers are `peeps::spawn_named`, the admin a plain
//! `tokio::spawn`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `jobs-rx` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Job {
    id: u64,
    body: String,
}

async fn work(
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    mut reload: watch::Receiver<u64>,
    done: Arc<AtomicU64>,
    reloads: Arc<AtomicU64>,
) {
    loop {
        tokio::select! {
            changed = reload.changed() => {
                if changed.is_err() {
                    return;
                }
                let generation = *reload.borrow_and_update();
                std::hint::black_box(generation);
                reloads.fetch_add(1, Ordering::Relaxed);
            }
            job = async { jobs.lock().await.recv().await } => {
                let Some(job) = job else { return };
                tokio::time::sleep(Duration::from_millis(30)).await;
                std::hint::black_box((job.id, job.body.len()));
                done.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[peeps::instrument]
async fn dispatch(tx: mpsc::Sender<Job>) {
    for id in 0u64.. {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let job = Job {
            id,
            body: format!("job-{id}"),
        };
        if tx.send(job).await.is_err() {
            return;
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_select_shared_receiver_reload");
    let (tx, rx) = mpsc::channel_named("jobs", 16);
    let jobs = Arc::new(Mutex::new(rx).named("jobs-rx"));
    let (reload_tx, reload_rx) = watch::channel_named("reload", 0u64);
    let done = Arc::new(AtomicU64::new(0));
    let reloads = Arc::new(AtomicU64::new(0));
    for name in ["worker-1", "worker-2", "worker-3"] {
        peeps::spawn_named(
            name,
            work(
                jobs.clone(),
                reload_rx.clone(),
                done.clone(),
                reloads.clone(),
            ),
        );
    }
    drop(reload_rx);
    peeps::spawn_named("dispatcher", dispatch(tx));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(1100));
        tick.tick().await;
        loop {
            tick.tick().await;
            reload_tx.send_modify(|g| *g += 1);
        }
    });
    let (d, r) = (done.clone(), reloads.clone());
    ready_when(move |g| {
        d.load(Ordering::Relaxed) >= 3
            && r.load(Ordering::Relaxed) >= 3
            && waited_on(g, NodeKind::Mutex, "jobs-rx")
    });
    examples::park().await
}
