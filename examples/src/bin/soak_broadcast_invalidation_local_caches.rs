//! Healthy, steady after a burst: API workers with local caches kept
//! coherent by a `broadcast` of invalidations. Workers, updater and
//! reporter are `peeps::spawn_named`; clients are plain `tokio::spawn`.
//!
//! The store is `db`, a `peeps::sync::RwLock<HashMap>`. Three
//! `api-worker-N` actors each own an inbox (`api-inbox`, capacity 8) and a
//! local cache (`local-cache`, a `Mutex<HashMap>` made in one loop, shared
//! with the reporter); each `select!`s between `invalidations` (a
//! `broadcast` of 64: drop the key, or everything when lagged) and its
//! inbox (a `Get` with a `oneshot` reply: look up under the cache's lock,
//! on a miss read `db` while still holding it, fill it). An `updater`
//! writes a key every 300 ms (the write lock let go before it publishes
//! the key); a `cache-reporter` locks each cache in turn every 500 ms.
//! Six clients make 40 calls each, then one call every second.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (`local-cache` -> `db` is the only order).

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, broadcast, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const WORKERS: usize = 3;

type Db = Arc<RwLock<HashMap<u64, u64>>>;
type Cache = Arc<Mutex<HashMap<u64, u64>>>;

struct Get {
    key: u64,
    reply: oneshot::Sender<u64>,
}

async fn api_worker(
    mut inbox: mpsc::Receiver<Get>,
    mut invalidations: broadcast::Receiver<u64>,
    cache: Cache,
    db: Db,
) {
    loop {
        tokio::select! {
            inv = invalidations.recv() => match inv {
                Ok(key) => {
                    cache.lock().await.remove(&key);
                }
                Err(broadcast::error::RecvError::Lagged(_)) => cache.lock().await.clear(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            get = inbox.recv() => {
                let Some(Get { key, reply }) = get else { return };
                let mut local = cache.lock().await;
                let value = match local.get(&key) {
                    Some(v) => *v,
                    None => {
                        let v = db.read().await.get(&key).copied().unwrap_or(0);
                        local.insert(key, v);
                        v
                    }
                };
                drop(local);
                let _ = reply.send(value);
            }
        }
    }
}

#[derive(Clone)]
struct Api {
    workers: Arc<Vec<mpsc::Sender<Get>>>,
}

impl Api {
    async fn get(&self, key: u64) -> Option<u64> {
        let (reply, answer) = oneshot::channel_named("get-reply");
        let worker = &self.workers[key as usize % self.workers.len()];
        worker.send(Get { key, reply }).await.ok()?;
        answer.await.ok()
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_broadcast_invalidation_local_caches");
    let db: Db = Arc::new(RwLock::new((0..64).map(|k| (k, k * 10)).collect()).named("db"));
    let (invalidate, _) = broadcast::channel_named::<u64>("invalidations", 64);
    let mut senders = Vec::new();
    let mut caches = Vec::new();
    for i in 0..WORKERS {
        let (tx, rx) = mpsc::channel_named("api-inbox", 8);
        let cache: Cache = Arc::new(Mutex::new(HashMap::new()).named("local-cache"));
        peeps::spawn_named(
            format!("api-worker-{i}"),
            api_worker(rx, invalidate.subscribe(), cache.clone(), db.clone()),
        );
        senders.push(tx);
        caches.push(cache);
    }
    let api = Api {
        workers: Arc::new(senders),
    };

    let updater_db = db.clone();
    peeps::spawn_named("updater", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        let mut n = 0u64;
        loop {
            tick.tick().await;
            n += 1;
            let key = n % 64;
            updater_db.write().await.insert(key, n);
            let _ = invalidate.send(key);
        }
    });
    peeps::spawn_named("cache-reporter", async move {
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        loop {
            tick.tick().await;
            let mut total = 0;
            for cache in &caches {
                total += cache.lock().await.len();
            }
            let _ = total;
        }
    });

    let calls = Arc::new(AtomicU64::new(0));
    for c in 0..6u64 {
        let api = api.clone();
        let calls = calls.clone();
        tokio::spawn(async move {
            for n in 0..40u64 {
                api.get((c * 7 + n) % 64).await.expect("an answer");
                calls.fetch_add(1, Ordering::Relaxed);
            }
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                api.get(c).await.expect("an answer");
            }
        });
    }
    drop(api);
    ready_when(move |g| {
        calls.load(Ordering::Relaxed) == 240
            && waiters(g, NodeKind::Channel, "invalidations") >= WORKERS
    });
    examples::park().await;
}
