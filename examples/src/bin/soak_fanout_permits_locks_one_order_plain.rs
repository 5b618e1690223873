//! Healthy: a semaphore-limited fan-out whose jobs take locks in one
//! order. A plain dispatcher takes an owned permit of a `Semaphore` (3)
//! every 10 ms and moves it into a plain `tokio::spawn` job. A job locks
//! `index` then, still holding it, `stats` (always that order), lets both
//! go, works 20-60 ms holding only its permit, then reads the `config`
//! `RwLock` across a 10 ms sleep. Two plain reporters read `config`
//! concurrently, each holding its read guard across a 30 ms sleep; an
//! admin writes `config` every 500 ms. A compactor, at other times, locks
//! `index` then `stats` too (nested, same order), and separately locks
//! `stats` alone across a 15 ms sleep. `main` `select!`s the dispatcher's
//! `JoinHandle` against a 1 s status sleep in a loop.
//!
//! Nothing can hang, and the locks have one order. Expected, in every
//! dump: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{Mutex, RwLock, Semaphore};
use std::sync::Arc;
use std::time::Duration;

struct Shared {
    index: Mutex<Vec<u64>>,
    stats: Mutex<u64>,
    config: RwLock<u64>,
}

async fn job(n: u64, shared: Arc<Shared>, _permit: peeps::sync::OwnedSemaphorePermit) {
    {
        let mut index = shared.index.lock().await;
        index.push(n);
        if index.len() > 64 {
            index.clear();
        }
        *shared.stats.lock().await += 1;
    }
    tokio::time::sleep(Duration::from_millis(20 + n % 41)).await;
    let config = shared.config.read().await;
    tokio::time::sleep(Duration::from_millis(10)).await;
    std::hint::black_box(*config);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_fanout_permits_locks_one_order_plain");
    let shared = Arc::new(Shared {
        index: Mutex::new(Vec::new()),
        stats: Mutex::new(0),
        config: RwLock::new(1),
    });
    let slots = Arc::new(Semaphore::new(3));
    wait_once_seen("boot").await;

    for r in 0..2u64 {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                {
                    let config = shared.config.read().await;
                    tokio::time::sleep(Duration::from_millis(30 + r * 7)).await;
                    std::hint::black_box(*config);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    let admin = shared.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            *admin.config.write().await += 1;
        }
    });
    let compactor = shared.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(70)).await;
            {
                let mut index = compactor.index.lock().await;
                let stats = compactor.stats.lock().await;
                index.retain(|n| n % 2 == *stats % 2);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            let stats = compactor.stats.lock().await;
            tokio::time::sleep(Duration::from_millis(15)).await;
            std::hint::black_box(*stats);
        }
    });

    let mut dispatcher = tokio::spawn(async move {
        for n in 0u64.. {
            let permit = slots.clone().acquire_owned().await.expect("open");
            tokio::spawn(job(n, shared.clone(), permit));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
    });
    loop {
        tokio::select! {
            res = &mut dispatcher => {
                println!("dispatcher ended: {res:?}");
                break;
            }
            _ = tokio::time::sleep(Duration::from_secs(1)) => println!("status: running"),
        }
    }
}
