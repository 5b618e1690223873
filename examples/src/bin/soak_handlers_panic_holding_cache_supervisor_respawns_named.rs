//! Healthy, under steady load: request handlers that sometimes panic while
//! holding a lock, restarted by a supervisor, as a server with a bad
//! input path does. Four handlers (`peeps::spawn_named("handler", ..)`)
//! take `cache`, and on every seventh request `panic!` with the guard held
//! (the unwind drops it); the supervisor awaits each handler's
//! `JoinHandle` and respawns it when it panicked. Three `meter` tasks
//! (`peeps::spawn_named`) take `metrics` alone for a moment every 3 ms. A
//! `reporter` (`peeps::spawn_named`), every 20 ms, takes `metrics` and,
//! holding it, `cache`. A quiet panic hook counts the panics.
//!
//! One order only (`metrics` → `cache`): a meter never holds `cache`. The
//! program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static PANICS: AtomicU64 = AtomicU64::new(0);

struct Server {
    cache: Mutex<HashMap<u64, u64>>,
    metrics: Mutex<u64>,
}

async fn handle(server: Arc<Server>, first: u64) {
    for n in first.. {
        {
            let mut cache = server.cache.lock().await;
            if n % 7 == 6 {
                panic!("bad request {n}");
            }
            *cache.entry(n % 16).or_insert(0) += 1;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_handlers_panic_holding_cache_supervisor_respawns_named");
    std::panic::set_hook(Box::new(|_| {
        PANICS.fetch_add(1, Ordering::Relaxed);
    }));
    let server = Arc::new(Server {
        cache: Mutex::new(HashMap::new()).named("cache"),
        metrics: Mutex::new(0).named("metrics"),
    });
    let reports = Arc::new(AtomicU64::new(0));
    for h in 0..4u64 {
        let server = server.clone();
        peeps::spawn_named("supervisor", async move {
            for generation in 0u64.. {
                let handler =
                    peeps::spawn_named("handler", handle(server.clone(), generation * 7 + h));
                if handler.await.is_ok() {
                    return;
                }
            }
        });
    }
    for _ in 0..3 {
        let server = server.clone();
        peeps::spawn_named("meter", async move {
            loop {
                *server.metrics.lock().await += 1;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let server = server.clone();
        let reports = reports.clone();
        peeps::spawn_named("reporter", async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                let metrics = server.metrics.lock().await;
                let cache = server.cache.lock().await;
                std::hint::black_box((*metrics, cache.len()));
                drop(cache);
                drop(metrics);
                reports.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |_| {
        PANICS.load(Ordering::Relaxed) >= 20 && reports.load(Ordering::Relaxed) >= 5
    });
    park().await
}
