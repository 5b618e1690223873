//! Healthy, under steady load: a server with many connections, each
//! holding its own session lock across `.await`s. 1500 plain connection
//! tasks each own an `Arc<Mutex<Session>>` (one construction site), filed
//! in a registry `RwLock<HashMap>`. Each loops: lock its session, hold it
//! across a 20-60 ms `.await` (the request's I/O), then lock the global
//! `Mutex` of stats for a few instructions, let both go and idle 5 ms. A
//! plain broadcaster, every 50 ms, reads the registry, clones the sessions
//! out, lets the registry go and locks each session alone, in turn. So
//! about 1400 plain tasks hold a lock across an `.await` at any time. Every
//! order is registry (alone), or a session then stats, or a session alone.
//! Two workers. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Session {
    requests: u64,
    pushes: u64,
}

#[derive(Default)]
struct Stats {
    requests: u64,
}

const CONNECTIONS: u64 = 1500;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_many_connections_session_lock_across_await_then_stats_plain");
    let registry = Arc::new(RwLock::new(HashMap::<u64, Arc<Mutex<Session>>>::new()));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let served = Arc::new(AtomicU64::new(0));
    let pushes = Arc::new(AtomicU64::new(0));

    for c in 0..CONNECTIONS {
        let session = Arc::new(Mutex::new(Session::default()));
        registry.write().await.insert(c, session.clone());
        let (stats, served) = (stats.clone(), served.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut s = session.lock().await;
                tokio::time::sleep(Duration::from_millis(20 + (c * 7 + n) % 41)).await;
                s.requests += 1;
                stats.lock().await.requests += 1;
                drop(s);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    {
        let (registry, pushes) = (registry.clone(), pushes.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let sessions: Vec<Arc<Mutex<Session>>> =
                    registry.read().await.values().cloned().collect();
                for s in sessions.iter().take(64) {
                    s.lock().await.pushes += 1;
                }
                pushes.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    ready_when(move |_| {
        served.load(Ordering::Relaxed) >= 3 * CONNECTIONS && pushes.load(Ordering::Relaxed) >= 3
    });
    park().await
}
