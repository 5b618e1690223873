//! Healthy, under steady load: a read-through cache in front of a
//! connection pool. Three handlers (two `peeps::spawn_named`, one plain
//! `tokio::spawn`) take a connection permit of `db-pool` (8 permits),
//! query (30-90 ms), then lock `cache` to store the row. A `refresher`
//! (`peeps::spawn_named`) locks `cache` every 300 ms and, under it,
//! reloads the hot rows: a permit of `db-pool` for 200 ms. Multi-thread
//! runtime.
//!
//! The two orders (permit then `cache`, `cache` then permit) cannot
//! deadlock: at most three of the eight permits are ever held by
//! handlers, so the refresher always finds one. Expected, in every dump:
//! no deadlock, nothing stuck forever, no potential deadlock; waits on
//! `cache` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn handle(
    who: u64,
    db: Arc<Semaphore>,
    cache: Arc<Mutex<HashMap<u64, u64>>>,
    served: Arc<AtomicU64>,
) {
    for n in 0u64.. {
        let _conn = db.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(30 + (n * 17 + who * 23) % 60)).await;
        cache.lock().await.insert((n + who) % 32, n);
        served.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn refresh(
    db: Arc<Semaphore>,
    cache: Arc<Mutex<HashMap<u64, u64>>>,
    refreshes: Arc<AtomicU64>,
) {
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut c = cache.lock().await;
        let _conn = db.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.retain(|k, _| *k < 16);
        refreshes.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_db_permits_and_cache_lock");
    let db = Arc::new(Semaphore::new(8).named("db-pool"));
    let cache = Arc::new(Mutex::new(HashMap::new()).named("cache"));
    let served = Arc::new(AtomicU64::new(0));
    let refreshes = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "refresher",
        refresh(db.clone(), cache.clone(), refreshes.clone()),
    );
    peeps::spawn_named(
        "handler-1",
        handle(1, db.clone(), cache.clone(), served.clone()),
    );
    peeps::spawn_named(
        "handler-2",
        handle(2, db.clone(), cache.clone(), served.clone()),
    );
    tokio::spawn(handle(3, db, cache, served.clone()));
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 10
            && refreshes.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "cache")
    });
    examples::park().await
}
