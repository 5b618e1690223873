//! Healthy, under steady load: a `LocalSet` inside the `block_on` of a
//! two-worker runtime. A `spawn_local` batcher (it runs on `main`'s thread,
//! never on a worker) holds an async `peeps::sync::Mutex` of the batch
//! across `recv().await` of a `peeps::sync::mpsc` tick that a `std::thread`
//! clock sends every 600 ms (`blocking_send`). A `std::thread` flusher
//! takes a `peeps::sync::blocking::RwLock` of the index for writing every
//! 20 ms and, while it holds it, `blocking_lock()`s the batch. Three plain
//! `tokio::spawn` lookups read the index in their polls (parking_lot
//! style), so both workers wait on the index for up to 600 ms at a time;
//! the batcher does not need them: the tick wakes `main`'s thread, the
//! batcher lets go, the flusher ends its write. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::RwLock as BlockingRwLock;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_local_set_holder_fed_by_thread_workers_read_plain");
    let index = Arc::new(BlockingRwLock::new(0u64));
    let batch = Arc::new(Mutex::new(0u64));
    let lookups = Arc::new(AtomicU64::new(0));
    let flushes = Arc::new(AtomicU64::new(0));
    let batches = Arc::new(AtomicU64::new(0));

    let (tick_tx, mut tick_rx) = mpsc::channel::<u64>(1);
    std::thread::spawn(move || {
        for n in 0u64.. {
            std::thread::sleep(Duration::from_millis(600));
            if tick_tx.blocking_send(n).is_err() {
                return;
            }
        }
    });

    let (ix, f, bt) = (index.clone(), flushes.clone(), batch.clone());
    std::thread::spawn(move || {
        loop {
            let mut entries = ix.write();
            let pending = bt.blocking_lock();
            *entries += *pending;
            drop(pending);
            drop(entries);
            f.fetch_add(1, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(20));
        }
    });

    for _ in 0..3 {
        let (index, lookups) = (index.clone(), lookups.clone());
        tokio::spawn(async move {
            loop {
                let v = *index.read();
                std::hint::black_box(v);
                lookups.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    let (l, f2, bs) = (lookups.clone(), flushes.clone(), batches.clone());
    ready_when(move |_| {
        f2.load(Ordering::Relaxed) >= 2
            && bs.load(Ordering::Relaxed) >= 2
            && l.load(Ordering::Relaxed) >= 20
    });

    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            tokio::task::spawn_local(async move {
                loop {
                    let mut pending = batch.lock().await;
                    let Some(n) = tick_rx.recv().await else {
                        return;
                    };
                    *pending = n;
                    drop(pending);
                    batches.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            });
            park().await
        })
        .await
}
