//! Healthy, under steady load: rolling restarts with a graceful drain. A
//! `supervisor` (`peeps::spawn_named`) runs generations: each has a job
//! queue `queue` (capacity 8), a `feeder` (plain `tokio::spawn`) sending
//! a job every 30 ms until told to stop, and four workers
//! (`peeps::spawn_named`) sharing the receiver behind a `queue-rx` mutex,
//! each holding a permit of `db` (2 permits) across a 200-500 ms job.
//! After 1.2 s the supervisor flips `shutdown` (a `watch`), the feeder
//! drops its sender, the workers finish what they hold, drain the queue
//! and end; the supervisor joins each with a 1.5 s deadline (aborting a
//! straggler) and starts the next generation. Workers `select!` the
//! shutdown signal against taking the next job. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `db` and `queue-rx` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, mpsc, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Queue = Arc<Mutex<mpsc::Receiver<u64>>>;

async fn job(db: &Semaphore, id: u64, done: &AtomicU64) {
    let _conn = db.acquire().await.expect("never closed");
    tokio::time::sleep(Duration::from_millis(200 + (id * 89) % 300)).await;
    done.fetch_add(1, Ordering::Relaxed);
}

#[peeps::instrument]
async fn worker(
    queue: Queue,
    mut shutdown: watch::Receiver<bool>,
    db: Arc<Semaphore>,
    done: Arc<AtomicU64>,
) {
    loop {
        tokio::select! {
            _ = async { shutdown.wait_for(|stop| *stop).await.map(|_| ()) } => break,
            next = async { queue.lock().await.recv().await } => {
                let Some(id) = next else { return };
                job(&db, id, &done).await;
            }
        }
    }
    // Draining: what is left in the queue is still done.
    loop {
        let next = queue.lock().await.try_recv();
        let Ok(id) = next else { return };
        job(&db, id, &done).await;
    }
}

#[peeps::instrument]
async fn supervise(db: Arc<Semaphore>, done: Arc<AtomicU64>, generations: Arc<AtomicU64>) {
    loop {
        let (tx, rx) = mpsc::channel_named("queue", 8);
        let queue: Queue = Arc::new(Mutex::new(rx).named("queue-rx"));
        let (stop_tx, stop_rx) = watch::channel_named("shutdown", false);
        let mut feeder_stop = stop_rx.clone();
        let feeder = tokio::spawn(async move {
            for id in 0u64.. {
                tokio::select! {
                    _ = async { feeder_stop.wait_for(|stop| *stop).await.map(|_| ()) } => return,
                    _ = tokio::time::sleep(Duration::from_millis(30)) => {}
                }
                tokio::select! {
                    _ = async { feeder_stop.wait_for(|stop| *stop).await.map(|_| ()) } => return,
                    sent = tx.send(id) => if sent.is_err() { return },
                }
            }
        });
        let workers: Vec<_> = (1..=4)
            .map(|i| {
                peeps::spawn_named(
                    format!("worker-{i}"),
                    worker(queue.clone(), stop_rx.clone(), db.clone(), done.clone()),
                )
            })
            .collect();
        drop(stop_rx);
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let _ = stop_tx.send(true);
        let _ = feeder.await;
        for w in workers {
            let abort = w.abort_handle();
            if tokio::time::timeout(Duration::from_millis(1500), w)
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
    peeps::install_sigusr1("soak_graceful_shutdown_generations");
    let db = Arc::new(Semaphore::new(2).named("db"));
    let done = Arc::new(AtomicU64::new(0));
    let generations = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "supervisor",
        supervise(db, done.clone(), generations.clone()),
    );
    ready_when(move |g| {
        generations.load(Ordering::Relaxed) >= 1
            && done.load(Ordering::Relaxed) >= 6
            && waited_on(g, NodeKind::Semaphore, "db")
    });
    examples::park().await
}
