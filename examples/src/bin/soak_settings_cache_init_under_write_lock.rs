//! Healthy, steady: a per-tenant settings cache whose cells are
//! `OnceCell`s (`settings-cell`) in a `settings-cells`
//! `RwLock<HashMap<tenant, Arc<OnceCell<Settings>>>>`. The fast path
//! read-locks the map, clones the cell and lets the guard go; a miss
//! write-locks the map, inserts the cell and initialises it *still holding
//! the write lock* (the init awaits `load_settings`, an
//! `#[peeps::instrument]` fn asking the `settings-db` actor,
//! `peeps::spawn_named`, over `settings-queries` with a `settings-row`
//! oneshot; the actor runs each query on `spawn_blocking`, 80-200 ms), so
//! every lookup waits on the map meanwhile. Nothing the loader does takes
//! the map. Lookups come from a `JoinSet` of plain tasks (a burst over 10
//! tenants), from a `tenant-onboarding` task (a new tenant every 500 ms)
//! and from a `legacy-api` `std::thread` that `block_on`s a lookup on the
//! runtime's `Handle` every 300 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{OnceCell, RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

#[derive(Clone, Debug)]
struct Settings {
    tenant: u64,
    max_users: u64,
}

struct Query {
    tenant: u64,
    reply: oneshot::Sender<Settings>,
}

#[derive(Clone)]
struct Cache {
    cells: Arc<RwLock<HashMap<u64, Arc<OnceCell<Settings>>>>>,
    db: mpsc::Sender<Query>,
}

#[peeps::instrument]
async fn load_settings(db: mpsc::Sender<Query>, tenant: u64) -> Settings {
    let (reply, row) = oneshot::channel_named("settings-row");
    db.send(Query { tenant, reply }).await.expect("db is up");
    row.await.expect("db answers")
}

impl Cache {
    async fn get(&self, tenant: u64) -> Settings {
        let cell = self.cells.read().await.get(&tenant).cloned();
        if let Some(cell) = cell {
            return cell
                .get_or_init(|| load_settings(self.db.clone(), tenant))
                .await
                .clone();
        }
        let mut cells = self.cells.write().await;
        let cell = cells
            .entry(tenant)
            .or_insert_with(|| Arc::new(OnceCell::new().named("settings-cell")))
            .clone();
        // Initialised under the write lock: simple, and slow for everyone.
        let settings = cell
            .get_or_init(|| load_settings(self.db.clone(), tenant))
            .await
            .clone();
        drop(cells);
        settings
    }
}

async fn settings_db(mut queries: mpsc::Receiver<Query>) {
    while let Some(Query { tenant, reply }) = queries.recv().await {
        let row = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(80 + (tenant * 37) % 120));
            Settings {
                tenant,
                max_users: 10 + tenant,
            }
        })
        .await
        .expect("query thread");
        let _ = reply.send(row);
    }
}

async fn onboarding(cache: Cache, looked_up: Arc<AtomicU64>) {
    for tenant in 100u64.. {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let s = cache.get(tenant).await;
        assert_eq!(s.tenant, tenant);
        looked_up.fetch_add(1, Ordering::Relaxed);
    }
}

fn legacy_api(handle: tokio::runtime::Handle, cache: Cache, looked_up: Arc<AtomicU64>) {
    for n in 0u64.. {
        std::thread::sleep(Duration::from_millis(300));
        let s = handle.block_on(cache.get(n % 12));
        std::hint::black_box(s.max_users);
        looked_up.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_settings_cache_init_under_write_lock");
    let (db, queries) = mpsc::channel_named("settings-queries", 16);
    let cache = Cache {
        cells: Arc::new(RwLock::new(HashMap::new()).named("settings-cells")),
        db,
    };
    let looked_up = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("settings-db", settings_db(queries));
    let mut burst = JoinSet::new();
    for n in 0..60u64 {
        let cache = cache.clone();
        burst.spawn(async move { cache.get(n % 10).await });
    }
    while let Some(s) = burst.join_next().await {
        std::hint::black_box(s.expect("lookup").max_users);
        looked_up.fetch_add(1, Ordering::Relaxed);
    }
    peeps::spawn_named(
        "tenant-onboarding",
        onboarding(cache.clone(), looked_up.clone()),
    );
    let handle = tokio::runtime::Handle::current();
    let legacy_count = looked_up.clone();
    std::thread::Builder::new()
        .name("legacy-api".into())
        .spawn(move || legacy_api(handle, cache, legacy_count))
        .expect("legacy thread");
    ready_when(move |_| looked_up.load(Ordering::Relaxed) >= 63);
    park().await
}
