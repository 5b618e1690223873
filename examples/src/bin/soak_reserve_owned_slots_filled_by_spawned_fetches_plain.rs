//! Healthy, under steady load: backpressure by reserving a slot first. A
//! plain crawler loop reserves a slot of the `pages` channel (capacity 4)
//! with `tx.clone().reserve_owned().await`, then spawns a plain fetch task
//! that takes the `OwnedPermit` along, "downloads" for 5-40 ms (holding
//! one of 4 owned permits of a `Semaphore` of sockets, and locking a
//! `Mutex` of host stats) and fills the slot with `permit.send(page)`.
//! The plain indexer receives pages and, per page, write-locks an
//! `RwLock` index for 2 ms; every 25th page it pauses 500 ms (a segment
//! merge), so the channel fills and the crawler waits on `reserve_owned`
//! while fetches hold the reserved slots. A plain searcher reads the index
//! every 5 ms. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, Semaphore, mpsc};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Page {
    url: u64,
    words: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_reserve_owned_slots_filled_by_spawned_fetches_plain");
    let (pages_tx, mut pages) = mpsc::channel::<Page>(4);
    let sockets = Arc::new(Semaphore::new(4));
    let hosts = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let index = Arc::new(RwLock::new(HashMap::<u64, u64>::new()));
    let indexed = Arc::new(AtomicU64::new(0));

    let (s, h) = (sockets.clone(), hosts.clone());
    tokio::spawn(async move {
        for url in 0u64.. {
            let Ok(slot) = pages_tx.clone().reserve_owned().await else {
                return;
            };
            let (s, h) = (s.clone(), h.clone());
            tokio::spawn(async move {
                let socket = s.acquire_owned().await.expect("open");
                tokio::time::sleep(Duration::from_millis(5 + url % 8 * 5)).await;
                *h.lock().await.entry(url % 6).or_default() += 1;
                drop(socket);
                slot.send(Page {
                    url,
                    words: url % 300,
                });
            });
        }
    });

    let (ix, n) = (index.clone(), indexed.clone());
    tokio::spawn(async move {
        while let Some(page) = pages.recv().await {
            {
                let mut ix = ix.write().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                ix.insert(page.url % 500, page.words);
            }
            if n.fetch_add(1, Ordering::Relaxed) % 25 == 24 {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    });

    let ix = index.clone();
    tokio::spawn(async move {
        for q in 0u64.. {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let hits = ix.read().await.get(&(q % 500)).copied();
            let _ = hits;
        }
    });

    ready_when(move |_| indexed.load(Ordering::Relaxed) >= 30);
    park().await
}
