//! Healthy, under steady load: config hot-reload over a `watch`. A plain
//! reloader `send_modify`s the config every 700 ms (a new version, new
//! limits), and every third turn `send_if_modified` with no change. Six
//! plain workers each `select!` `rx.changed()` (then
//! `rx.borrow_and_update().clone()`, the `Ref` gone at the end of the
//! statement) against a 10 ms work `interval` that reads the current
//! limit with `rx.borrow()` and locks a `Mutex` of stats. Two plain
//! followers loop `while rx.changed().await.is_ok()` and take 0-60 ms to
//! apply each version. Per request, a plain handler clones a receiver
//! and waits (`wait_for`) until the next version is live.
//! Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, watch};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone, Debug, Default)]
struct Config {
    version: u64,
    rate_limit: u32,
    upstreams: Vec<String>,
}

#[derive(Default)]
struct Stats {
    work: u64,
    reloads: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_watch_config_reload_borrow_and_update_many_plain");
    let (cfg_tx, cfg_rx) = watch::channel(Config::default());
    let stats = Arc::new(Mutex::new(Stats::default()));
    let applied = Arc::new(AtomicU64::new(0));

    for w in 0..6u64 {
        let (mut rx, stats, applied) = (cfg_rx.clone(), stats.clone(), applied.clone());
        tokio::spawn(async move {
            let mut current = rx.borrow_and_update().clone();
            let mut tick = tokio::time::interval(Duration::from_millis(10 + w));
            loop {
                tokio::select! {
                    res = rx.changed() => {
                        if res.is_err() {
                            return;
                        }
                        current = rx.borrow_and_update().clone();
                        stats.lock().await.reloads += 1;
                        applied.fetch_add(1, Ordering::Relaxed);
                    }
                    _ = tick.tick() => {
                        let limit = rx.borrow().rate_limit;
                        let mut s = stats.lock().await;
                        s.work += u64::from(limit.min(current.rate_limit.max(1)));
                    }
                }
            }
        });
    }

    for f in 0..2u64 {
        let mut rx = cfg_rx.clone();
        tokio::spawn(async move {
            while rx.changed().await.is_ok() {
                let cfg = rx.borrow_and_update().clone();
                // Reconnect to the upstreams of the new version.
                tokio::time::sleep(Duration::from_millis((cfg.version * 7 + f * 30) % 60)).await;
                let _ = cfg.upstreams.len();
            }
        });
    }

    let version_seen = Arc::new(AtomicU64::new(0));
    let (rx, seen) = (cfg_rx.clone(), version_seen.clone());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(15)).await;
            let want = seen.load(Ordering::Relaxed) + 1;
            let mut rx = rx.clone();
            tokio::spawn(async move {
                let _ = rx.wait_for(|c| c.version >= want).await;
            });
        }
    });

    let seen = version_seen.clone();
    tokio::spawn(async move {
        for version in 1u64.. {
            tokio::time::sleep(Duration::from_millis(700)).await;
            cfg_tx.send_modify(|c| {
                c.version = version;
                c.rate_limit = 100 + (version % 5) as u32 * 10;
                c.upstreams = (0..1 + version % 3)
                    .map(|i| format!("10.0.0.{i}"))
                    .collect();
            });
            seen.store(version, Ordering::Relaxed);
            if version.is_multiple_of(3) {
                cfg_tx.send_if_modified(|_| false);
            }
        }
    });
    drop(cfg_rx);

    ready_when(move |_| applied.load(Ordering::Relaxed) >= 12);
    park().await
}
