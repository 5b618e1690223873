//! Healthy, under steady load: std-style locks in async code, the way most
//! services have them. Sessions live in an async `peeps::sync::Mutex`
//! (`sessions`), held across a short `.await` (a 5 ms write); counters in a
//! `peeps::sync::blocking::Mutex` (`metrics`), taken only for a few
//! instructions and never across an `.await`. Six handlers (three plain
//! `tokio::spawn`, three `peeps::spawn_named("handler-N")`) lock
//! `sessions`, then bump `metrics` under it; four reporters (plain
//! `tokio::spawn`) copy `metrics` and let it go, then lock `sessions` to
//! count them. A config reloader writes a `blocking::RwLock` (`config`)
//! every 200 ms; the handlers read it before `sessions`. Every order is
//! `config` → `sessions` → `metrics`, or one lock alone. Multi-thread
//! runtime: the tasks hop between the workers at every `.await`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::ready_when;
use peeps::sync::Mutex;
use peeps::sync::blocking::{Mutex as BlockingMutex, RwLock as BlockingRwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Clone)]
struct Shared {
    sessions: Arc<Mutex<HashMap<u64, u64>>>,
    metrics: Arc<BlockingMutex<(u64, u64)>>,
    config: Arc<BlockingRwLock<u64>>,
    served: Arc<AtomicU64>,
}

async fn handle_forever(id: u64, sh: Shared) {
    for n in 0u64.. {
        let limit = *sh.config.read();
        let mut sessions = sh.sessions.lock().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        sessions.insert((id * 1000 + n) % limit.max(1), n);
        {
            let mut m = sh.metrics.lock();
            m.0 += 1;
        }
        drop(sessions);
        sh.served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(2 + id)).await;
    }
}

#[peeps::instrument]
async fn named_handler(id: u64, sh: Shared) {
    handle_forever(id, sh).await;
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_std_locks_in_async");
    let sh = Shared {
        sessions: Arc::new(Mutex::new(HashMap::new()).named("sessions")),
        metrics: Arc::new(BlockingMutex::new((0, 0)).named("metrics")),
        config: Arc::new(BlockingRwLock::new(64).named("config")),
        served: Arc::new(AtomicU64::new(0)),
    };
    for id in 0..3 {
        tokio::spawn(handle_forever(id, sh.clone()));
        peeps::spawn_named(format!("handler-{id}"), named_handler(id + 3, sh.clone()));
    }
    for _ in 0..4 {
        let sh = sh.clone();
        tokio::spawn(async move {
            loop {
                let (served, reported) = {
                    let mut m = sh.metrics.lock();
                    m.1 += 1;
                    *m
                };
                let open = sh.sessions.lock().await.len();
                std::hint::black_box((served, reported, open));
                tokio::time::sleep(Duration::from_millis(7)).await;
            }
        });
    }
    let reload = sh.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(200));
        for v in 0u64.. {
            every.tick().await;
            *reload.config.write() = 64 + v % 8;
        }
    });
    let seen = sh.served.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) > 200);
    examples::park().await
}
