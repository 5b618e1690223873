//! Healthy, under steady load: a config reload that waits until every
//! worker has applied it. A plain reloader, every 500 ms, write-locks an
//! `RwLock` of derived routes, rebuilds them, lets the lock go, publishes
//! the new version on a `watch`, then receives one ack per worker from an
//! `mpsc` (capacity 2) before it reloads again. Five plain workers
//! `wait_for` a first version at start-up, then loop on a `select!` of
//! `changed()` (read the routes, ack the version) against a 5 ms tick that
//! reads the routes and locks a `Mutex` of counters. So after each publish
//! the reloader waits for acks that only the workers send, and between
//! publishes the workers wait for a change only the reloader makes: each
//! side's wait ends when the other's turn is done. Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock (routes, then counters, everywhere).

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, mpsc, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_watch_reload_waits_for_worker_acks_plain");
    let (cfg_tx, cfg_rx) = watch::channel(0u64);
    let routes = Arc::new(RwLock::new(HashMap::<u64, u64>::new()));
    let counters = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let (ack_tx, mut acks) = mpsc::channel::<(u64, u64)>(2);
    let reloads = Arc::new(AtomicU64::new(0));

    for w in 0..5u64 {
        let (mut cfg, routes, counters, ack_tx) = (
            cfg_rx.clone(),
            routes.clone(),
            counters.clone(),
            ack_tx.clone(),
        );
        tokio::spawn(async move {
            if cfg.wait_for(|v| *v > 0).await.is_err() {
                return;
            }
            let mut tick = tokio::time::interval(Duration::from_millis(5));
            loop {
                tokio::select! {
                    changed = cfg.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let version = *cfg.borrow_and_update();
                        let n = routes.read().await.len();
                        let _ = n;
                        if ack_tx.send((w, version)).await.is_err() {
                            return;
                        }
                    }
                    _ = tick.tick() => {
                        let r = routes.read().await;
                        let backend = r.get(&(w % 8)).copied().unwrap_or(0);
                        let mut c = counters.lock().await;
                        *c.entry(backend).or_default() += 1;
                    }
                }
            }
        });
    }
    drop(ack_tx);

    let r = reloads.clone();
    tokio::spawn(async move {
        for version in 1u64.. {
            {
                let mut routes = routes.write().await;
                routes.clear();
                for k in 0..8u64 {
                    routes.insert(k, (k + version) % 3);
                }
            }
            cfg_tx.send_replace(version);
            if version > 1 {
                let mut seen = 0;
                while seen < 5 {
                    let Some((_w, v)) = acks.recv().await else {
                        return;
                    };
                    if v == version {
                        seen += 1;
                    }
                }
            }
            r.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });

    ready_when(move |_| reloads.load(Ordering::Relaxed) >= 3);
    park().await
}
