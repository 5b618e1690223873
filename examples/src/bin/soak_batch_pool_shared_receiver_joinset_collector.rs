//! Healthy, steady: a batch job runner. Every 1.5 s the `dispatcher`
//! (`peeps::spawn_named`) makes a `jobs` channel (capacity 8), starts 4
//! workers in a `tokio::task::JoinSet` sharing its receiver as
//! `Arc<Mutex<Receiver>>` (`jobs-rx`), sends 40 jobs, drops its sender and
//! awaits the set with `join_next`. A worker takes the next job with
//! `rx.lock().await.recv().await` (the guard held across the receive, the
//! other workers queued on the lock), hashes it on `spawn_blocking`, and
//! sends the result on `results` (unbounded), read by a `collector`
//! (`peeps::spawn_named`) that folds them into `totals` (a `Mutex`). The
//! dispatcher keeps a `results` sender across batches, so between
//! batches the collector waits on `results`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

struct Job {
    batch: u64,
    input: Vec<u8>,
}

struct Outcome {
    batch: u64,
    digest: u64,
}

async fn worker(
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    results: mpsc::UnboundedSender<Outcome>,
) -> usize {
    let mut handled = 0;
    loop {
        let job = jobs.lock().await.recv().await;
        let Some(Job { batch, input }) = job else {
            return handled;
        };
        let digest = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(3));
            input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
            })
        })
        .await
        .expect("hash thread");
        if results.send(Outcome { batch, digest }).is_err() {
            return handled;
        }
        handled += 1;
    }
}

async fn dispatcher(results: mpsc::UnboundedSender<Outcome>, batches: Arc<AtomicU64>) {
    for batch in 0.. {
        let (tx, rx) = mpsc::channel_named("jobs", 8);
        let rx = Arc::new(Mutex::new(rx).named("jobs-rx"));
        let mut pool = JoinSet::new();
        for _ in 0..4 {
            pool.spawn(worker(rx.clone(), results.clone()));
        }
        drop(rx);
        for n in 0..40u8 {
            let input = vec![n; 64 + usize::from(n)];
            if tx.send(Job { batch, input }).await.is_err() {
                break;
            }
        }
        drop(tx);
        let mut handled = 0;
        while let Some(done) = pool.join_next().await {
            handled += done.unwrap_or(0);
        }
        assert_eq!(handled, 40);
        batches.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

async fn collector(
    mut results: mpsc::UnboundedReceiver<Outcome>,
    totals: Arc<Mutex<HashMap<u64, u64>>>,
) {
    while let Some(Outcome { batch, digest }) = results.recv().await {
        let mut totals = totals.lock().await;
        let t = totals.entry(batch).or_insert(0);
        *t = t.wrapping_add(digest);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_batch_pool_shared_receiver_joinset_collector");
    let (results, results_rx) = mpsc::unbounded_channel_named("results");
    let totals = Arc::new(Mutex::new(HashMap::new()).named("totals"));
    let batches = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("collector", collector(results_rx, totals));
    peeps::spawn_named("dispatcher", dispatcher(results, batches.clone()));
    ready_when(move |_| batches.load(Ordering::Relaxed) >= 1);
    park().await
}
