//! Healthy, under steady load: every worker of a two-worker runtime busy in
//! a blocking section at once, now and then, while other tasks wait their
//! turn. Two plain compactor tasks loop every 150 ms: each `lock()`s a
//! `peeps::sync::blocking::Mutex` of segments (parking_lot style) and holds
//! it across a 40 ms `std::thread::sleep` (a synchronous merge), so while
//! one merges the other parks its worker on the same lock: both workers
//! are taken for up to 80 ms. Meanwhile a plain flusher holds an async
//! `peeps::sync::Mutex` of the memtable across `recv().await` of the next
//! batch, which a plain producer sends every 10 ms, and six plain writers
//! wait for the memtable; none of them can run until a worker is free
//! again, and each does once the merges end. Nothing annotated or named.
//!
//! Nothing can hang (the blocking sections end). Expected, in every dump:
//! no deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::Mutex as BlockingMutex;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_two_workers_both_in_blocking_sections_plain");
    let segments = Arc::new(BlockingMutex::new(Vec::<u64>::new()));
    let memtable = Arc::new(Mutex::new(Vec::<u64>::new()));
    let merges = Arc::new(AtomicU64::new(0));
    let writes = Arc::new(AtomicU64::new(0));

    for c in 0..2u64 {
        let (segments, merges) = (segments.clone(), merges.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(150));
            loop {
                tick.tick().await;
                let mut s = segments.lock();
                std::thread::sleep(Duration::from_millis(40));
                s.push(c);
                if s.len() > 100 {
                    s.clear();
                }
                drop(s);
                merges.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    let (tx, mut rx) = mpsc::channel::<Vec<u64>>(4);
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(10)).await;
            if tx.send(vec![n; 4]).await.is_err() {
                return;
            }
        }
    });

    let m = memtable.clone();
    tokio::spawn(async move {
        loop {
            let mut table = m.lock().await;
            let Some(batch) = rx.recv().await else { return };
            table.extend(batch);
            if table.len() > 256 {
                table.clear();
            }
        }
    });

    for w in 0..6u64 {
        let (memtable, writes) = (memtable.clone(), writes.clone());
        tokio::spawn(async move {
            loop {
                memtable.lock().await.push(w);
                writes.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    ready_when(move |_| {
        merges.load(Ordering::Relaxed) >= 4 && writes.load(Ordering::Relaxed) >= 50
    });
    park().await
}
