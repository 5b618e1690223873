//! Healthy, under steady load: a parking_lot-style routing table read
//! straight from async handlers. Routes live in a
//! `peeps::sync::blocking::RwLock`; eight plain handlers each `read()` it
//! for a lookup (a few instructions, never across an `.await`), then lock
//! an async `peeps::sync::Mutex` of per-route counters across a 2 ms
//! `.await`. A `std::thread` writer rebuilds the table every 60 ms: it
//! takes `write()` and holds it for 8 ms (`std::thread::sleep`, as a slow
//! rebuild does), so every handler that looks up meanwhile parks its
//! worker for a few ms behind the writer. A plain refresher takes an
//! `upgradable_read()` every 100 ms and upgrades it when a route is stale.
//! Two workers. Nothing annotated or named.
//!
//! Nothing can hang (every blocking section ends). Expected, in every
//! dump: no deadlock, nothing stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use peeps::sync::blocking::{RwLock, RwLockUpgradableReadGuard};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_parking_lot_routes_read_in_handlers_writer_thread_plain");
    let routes = Arc::new(RwLock::new(
        (0..32u64)
            .map(|k| (k, k % 4))
            .collect::<HashMap<u64, u64>>(),
    ));
    let counters = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let served = Arc::new(AtomicU64::new(0));
    let rebuilds = Arc::new(AtomicU64::new(0));

    {
        let (routes, rebuilds) = (routes.clone(), rebuilds.clone());
        std::thread::Builder::new()
            .name("routes-writer".into())
            .spawn(move || {
                for generation in 1u64.. {
                    std::thread::sleep(Duration::from_millis(60));
                    let mut w = routes.write();
                    std::thread::sleep(Duration::from_millis(8));
                    for (k, v) in w.iter_mut() {
                        *v = (k + generation) % 4;
                    }
                    drop(w);
                    rebuilds.fetch_add(1, Ordering::Relaxed);
                }
            })
            .expect("spawn the routes writer");
    }

    for h in 0..8u64 {
        let (routes, counters, served) = (routes.clone(), counters.clone(), served.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                let key = (h * 7 + n) % 32;
                let backend = { routes.read().get(&key).copied().unwrap_or(0) };
                let mut c = counters.lock().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                *c.entry(backend).or_default() += 1;
                drop(c);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(1 + h % 3)).await;
            }
        });
    }

    let r = routes.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let up = r.upgradable_read();
            if up.values().any(|v| *v == 3) {
                let mut w = RwLockUpgradableReadGuard::upgrade(up);
                if let Some(v) = w.get_mut(&0) {
                    *v = 0;
                }
            }
        }
    });

    ready_when(move |_| {
        served.load(Ordering::Relaxed) >= 100 && rebuilds.load(Ordering::Relaxed) >= 3
    });
    park().await
}
