//! Healthy, under steady load: a plain dispatcher on a two-worker runtime
//! hands out a `spawn_blocking` job every 2 ms (up to 16 at once, a
//! `peeps::sync::Semaphore` of slots); each job takes a
//! `peeps::sync::blocking::Mutex` of the store (parking_lot style) for
//! 1-3 ms of work, so many blocking-pool threads are parked on it at any
//! moment. Meanwhile plain tasks hold an async `peeps::sync::Mutex` of the
//! session across a 30 ms `tokio::time::sleep` that four plain clients
//! wait for. No job waits on anything async. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::blocking::Mutex as BlockingMutex;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_jobs_short_blocking_mutex_async_holders_plain");
    let store = Arc::new(BlockingMutex::new(0u64));
    let session = Arc::new(Mutex::new(0u64));
    let slots = Arc::new(Semaphore::new(16));
    let jobs = Arc::new(AtomicU64::new(0));
    let visits = Arc::new(AtomicU64::new(0));

    let (st, j) = (store.clone(), jobs.clone());
    tokio::spawn(async move {
        for n in 0u64.. {
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let (store, jobs) = (st.clone(), j.clone());
            tokio::task::spawn_blocking(move || {
                let mut s = store.lock();
                std::thread::sleep(Duration::from_millis(1 + n % 3));
                *s += 1;
                drop(s);
                jobs.fetch_add(1, Ordering::Relaxed);
                drop(slot);
            });
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });

    for _ in 0..2 {
        let session = session.clone();
        tokio::spawn(async move {
            loop {
                let mut s = session.lock().await;
                tokio::time::sleep(Duration::from_millis(30)).await;
                *s += 1;
                drop(s);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    for _ in 0..4 {
        let (session, visits) = (session.clone(), visits.clone());
        tokio::spawn(async move {
            loop {
                let v = *session.lock().await;
                std::hint::black_box(v);
                visits.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }

    ready_when(move |_| {
        jobs.load(Ordering::Relaxed) >= 100 && visits.load(Ordering::Relaxed) >= 20
    });
    park().await
}
