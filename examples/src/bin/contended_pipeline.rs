//! Healthy control: a heavily contended pipeline that keeps making
//! progress. peeps must report no deadlock, however the snapshot falls.
//!
//! `source` feeds numbers into `raw` (capacity 4), paced by a 1 ms
//! interval. Sixteen `worker`s share the one receiver behind a mutex
//! (`raw-rx`: one worker waits on the channel holding the lock, the others
//! queue on the lock), squeeze through two `cpu-slots` permits, update a
//! shared `stats` mutex and pass results into `cooked` (capacity 4), which
//! `sink` drains. At any instant most tasks wait on something, but some
//! task can always move.
//!
//! Prints READY once the sink has seen 2,000 results, and keeps running.

use examples::ready_when;
use peeps::sync::{Mutex, Semaphore, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Items per tick of the source's interval.
const BURST: u64 = 20;
/// Workers sharing the input.
const WORKERS: usize = 16;

#[derive(Debug, Default)]
struct Stats {
    items: u64,
    sum: u64,
}

#[peeps::instrument]
async fn source(raw: mpsc::Sender<u64>) {
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut n = 0;
    loop {
        tick.tick().await;
        for _ in 0..BURST {
            n += 1;
            if raw.send(n).await.is_err() {
                return;
            }
        }
    }
}

#[peeps::instrument]
async fn work(
    input: Arc<Mutex<mpsc::Receiver<u64>>>,
    slots: Arc<Semaphore>,
    stats: Arc<Mutex<Stats>>,
    cooked: mpsc::Sender<u64>,
) {
    loop {
        let Some(n) = input.lock().await.recv().await else {
            return;
        };
        let result = {
            let _slot = slots.acquire().await.expect("never closed");
            tokio::task::yield_now().await;
            n.wrapping_mul(2_654_435_761) % 1_000
        };
        {
            let mut stats = stats.lock().await;
            stats.items += 1;
            stats.sum += result;
        }
        if cooked.send(result).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn sink(mut cooked: mpsc::Receiver<u64>, seen: Arc<AtomicU64>) {
    while cooked.recv().await.is_some() {
        seen.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("contended_pipeline");
    let (raw_tx, raw_rx) = mpsc::channel_named("raw", 4);
    let (cooked_tx, cooked_rx) = mpsc::channel_named("cooked", 4);
    let input = Arc::new(Mutex::new(raw_rx).named("raw-rx"));
    let slots = Arc::new(Semaphore::new(2).named("cpu-slots"));
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let seen = Arc::new(AtomicU64::new(0));

    peeps::spawn_named("source", source(raw_tx));
    for _ in 0..WORKERS {
        peeps::spawn_named(
            "worker",
            work(
                input.clone(),
                slots.clone(),
                stats.clone(),
                cooked_tx.clone(),
            ),
        );
    }
    drop(cooked_tx);
    let sink = peeps::spawn_named("sink", sink(cooked_rx, seen.clone()));

    let progress = seen.clone();
    ready_when(move |_| progress.load(Ordering::Relaxed) >= 2_000);
    sink.await.expect("the sink does not panic");
}
