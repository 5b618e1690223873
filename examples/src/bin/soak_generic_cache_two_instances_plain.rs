//! Healthy, under steady load: one small generic type, two instances. A
//! hand-written `Cached<T>` (an `RwLock<Option<T>>` value and a `Mutex<()>`
//! that lets one caller at a time refresh it, made in `Cached::new`) holds
//! both the API `token` and the service `config`. Plain `tokio::spawn` of
//! `async move` blocks, no peeps annotation, no lock names.
//!
//! - `Cached::get` reads the value; when it is stale it takes `refreshing`,
//!   re-checks, loads, and writes the value: `refreshing` then `value`.
//! - loading `config` calls the config API, which needs a `token`: under
//!   `config`'s `refreshing` it calls `token.get` (a read of `token`'s
//!   value, and on a stale token `token`'s `refreshing` then its value).
//! - handlers keep a read of `config`'s value for the whole request (the
//!   endpoint, the limits) and call `token.get` under it: `config`'s value
//!   then `token`'s `refreshing` then `token`'s value.
//!
//! By instance the order is one-way: everything about `config` comes
//! before everything about `token`, and nothing holding a lock of `token`
//! ever waits for `config`. The two instances share their classes (one
//! construction site per field), so by class `value` -> `refreshing` (a
//! handler) and `refreshing` -> `value` (a refresh) look like a cycle; it
//! only closes through `config`'s value and `token`'s `refreshing`, which
//! no task ever takes in the other order.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock, RwLockReadGuard};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Cached<T> {
    value: RwLock<Option<(T, Instant)>>,
    refreshing: Mutex<()>,
    ttl: Duration,
}

impl<T: Clone> Cached<T> {
    fn new(ttl: Duration) -> Self {
        Cached {
            value: RwLock::new(None),
            refreshing: Mutex::new(()),
            ttl,
        }
    }

    fn fresh(&self, slot: &Option<(T, Instant)>) -> Option<T> {
        match slot {
            Some((v, at)) if at.elapsed() < self.ttl => Some(v.clone()),
            _ => None,
        }
    }

    async fn get<F, Fut>(&self, load: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        if let Some(v) = self.fresh(&*self.value.read().await) {
            return v;
        }
        let _refresh = self.refreshing.lock().await;
        if let Some(v) = self.fresh(&*self.value.read().await) {
            return v;
        }
        let v = load().await;
        *self.value.write().await = Some((v.clone(), Instant::now()));
        v
    }

    /// The current value, read-locked for as long as the caller needs it.
    async fn current(&self) -> RwLockReadGuard<'_, Option<(T, Instant)>> {
        self.value.read().await
    }
}

#[derive(Clone)]
struct Config {
    endpoint: String,
    limit: u32,
}

struct App {
    token: Cached<String>,
    config: Cached<Config>,
    served: AtomicU64,
}

async fn fetch_token(n: u64) -> String {
    tokio::time::sleep(Duration::from_millis(30)).await;
    format!("token-{n}")
}

impl App {
    async fn token(&self) -> String {
        let n = self.served.load(Ordering::Relaxed);
        self.token.get(|| fetch_token(n)).await
    }

    async fn load_config(&self) -> Config {
        let token = self.token().await;
        tokio::time::sleep(Duration::from_millis(40)).await; // GET /config
        Config {
            endpoint: format!("https://api.invalid/{}", token.len()),
            limit: 10,
        }
    }

    async fn handle(&self, req: u64) -> usize {
        let cfg = self.config.current().await;
        let Some((cfg, _)) = cfg.as_ref() else {
            return 0;
        };
        let token = self.token().await;
        tokio::time::sleep(Duration::from_millis(5 + req % 15)).await; // the call
        cfg.endpoint.len() + token.len() + cfg.limit as usize
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_generic_cache_two_instances_plain");
    let app = Arc::new(App {
        token: Cached::new(Duration::from_millis(120)),
        config: Cached::new(Duration::from_millis(200)),
        served: AtomicU64::new(0),
    });
    {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                let cfg = app.config.get(|| app.load_config()).await;
                std::hint::black_box(cfg.limit);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }
    for h in 0..4u64 {
        let app = app.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(app.handle(n * 4 + h).await);
                app.served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    let ready = app.clone();
    ready_when(move |_| ready.served.load(Ordering::Relaxed) >= 200);
    park().await
}
