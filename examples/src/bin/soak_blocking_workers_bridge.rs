//! Healthy, under steady load: a sync/async bridge. A `std::thread`
//! "sensor" reads samples (a 5 ms sleep each) and `blocking_send`s them
//! into `samples` (capacity 4). An async `router` (`peeps::spawn_named`)
//! hands each sample to one of two `spawn_blocking` workers over
//! per-worker `work-N` channels (capacity 1); a worker `blocking_recv`s,
//! crunches for 60-140 ms (`std::thread::sleep`) and `blocking_send`s
//! the result into `results` (capacity 2). A `collector`
//! (`peeps::spawn_named`) takes each result and stores it under
//! `store` with `block_in_place(|| store.blocking_lock())` (a blocking
//! mutex, also locked asynchronously by a `reporter` that holds it
//! 300 ms every 400 ms). Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; the bridge's waits may be long.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Sample {
    seq: u64,
    data: Vec<u8>,
}

#[peeps::instrument]
async fn route(mut samples: mpsc::Receiver<Sample>, workers: Vec<mpsc::Sender<Sample>>) {
    let mut next = 0;
    while let Some(s) = samples.recv().await {
        if workers[next % workers.len()].send(s).await.is_err() {
            return;
        }
        next += 1;
    }
}

#[peeps::instrument]
async fn collect(
    mut results: mpsc::Receiver<(u64, usize)>,
    store: Arc<Mutex<Vec<u64>>>,
    collected: Arc<AtomicU64>,
) {
    while let Some((seq, n)) = results.recv().await {
        tokio::task::block_in_place(|| {
            let mut s = store.blocking_lock();
            s.push(seq + n as u64);
            if s.len() > 256 {
                s.clear();
            }
        });
        collected.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn report(store: Arc<Mutex<Vec<u64>>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(400)).await;
        let s = store.lock().await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::hint::black_box(s.len());
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    peeps::install_sigusr1("soak_blocking_workers_bridge");
    let (sample_tx, sample_rx) = mpsc::channel_named("samples", 4);
    let (result_tx, result_rx) = mpsc::channel_named("results", 2);
    let store = Arc::new(Mutex::new(Vec::new()).named("store"));
    let collected = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for i in 0..2u64 {
        let (tx, mut rx) = mpsc::channel_named::<Sample>(format!("work-{i}"), 1);
        workers.push(tx);
        let results = result_tx.clone();
        tokio::task::spawn_blocking(move || {
            while let Some(s) = rx.blocking_recv() {
                std::thread::sleep(Duration::from_millis(60 + (s.seq * 17 + i * 40) % 80));
                let n = s.data.iter().filter(|b| **b > 3).count();
                if results.blocking_send((s.seq, n)).is_err() {
                    return;
                }
            }
        });
    }
    drop(result_tx);
    peeps::spawn_named("router", route(sample_rx, workers));
    peeps::spawn_named(
        "collector",
        collect(result_rx, store.clone(), collected.clone()),
    );
    peeps::spawn_named("reporter", report(store));
    std::thread::Builder::new()
        .name("sensor".into())
        .spawn(move || {
            for seq in 0u64.. {
                std::thread::sleep(Duration::from_millis(5));
                let s = Sample {
                    seq,
                    data: vec![(seq % 7) as u8; 16],
                };
                if sample_tx.blocking_send(s).is_err() {
                    return;
                }
            }
        })
        .expect("spawn the sensor thread");
    ready_when(move |g| {
        collected.load(Ordering::Relaxed) >= 10
            && waited_on_for(g, NodeKind::Channel, "samples", "send")
    });
    examples::park().await
}
