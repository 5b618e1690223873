//! Healthy, under steady load: sync code run from a task with
//! `tokio::task::block_in_place`. A plain importer task loops: inside
//! `block_in_place` it `blocking_recv()`s the next batch from an `mpsc`
//! (capacity 2) that a plain feeder fills every 40 ms, parses it for 4 ms
//! (`std::thread::sleep`) and, still in the closure, `lock()`s a
//! `peeps::sync::blocking::Mutex` of totals that plain handlers also
//! `lock()` for a few instructions; then it `.await`s a `Mutex` of the
//! import log for one line. Meanwhile four plain handlers keep serving
//! (block_in_place hands the worker's other tasks to another thread): each
//! locks the async log, then the totals, 3 ms apart. Two workers; the
//! importer sits in `blocking_recv` most of the time, waiting for a feeder
//! that runs on the other worker. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (log, then totals, everywhere).

use examples::{park, ready_when};
use peeps::sync::blocking::Mutex as BlockingMutex;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Totals {
    rows: u64,
    requests: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_recv_batches_and_lock_plain");
    let totals = Arc::new(BlockingMutex::new(Totals::default()));
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let imported = Arc::new(AtomicU64::new(0));
    let (tx, mut rx) = mpsc::channel::<Vec<u64>>(2);

    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(40));
        for n in 0u64.. {
            tick.tick().await;
            if tx.send((n..n + 16).collect()).await.is_err() {
                return;
            }
        }
    });

    {
        let (totals, log, imported) = (totals.clone(), log.clone(), imported.clone());
        tokio::spawn(async move {
            loop {
                let rows = tokio::task::block_in_place(|| {
                    let batch = rx.blocking_recv()?;
                    std::thread::sleep(Duration::from_millis(4));
                    let mut t = totals.lock();
                    t.rows += batch.len() as u64;
                    Some(batch.len())
                });
                let Some(rows) = rows else { return };
                let mut l = log.lock().await;
                l.push(format!("imported {rows} rows"));
                if l.len() > 64 {
                    l.clear();
                }
                drop(l);
                imported.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    for _ in 0..4 {
        let (totals, log) = (totals.clone(), log.clone());
        tokio::spawn(async move {
            loop {
                let l = log.lock().await;
                let n = l.len();
                {
                    let mut t = totals.lock();
                    t.requests += 1;
                    let _ = (t.rows, n);
                }
                drop(l);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }

    ready_when(move |_| imported.load(Ordering::Relaxed) >= 10);
    park().await
}
