//! Healthy, under steady load: a reader/writer pattern on a semaphore.
//! `db-slots`, a `peeps::sync::Semaphore::new(4)`: queries take one
//! permit; maintenance takes them all (`acquire_many(4)`), to run alone.
//! Two maintenance jobs (`peeps::spawn_named`) take `schema` and `stats`
//! in opposite orders while holding all four permits: `vacuum` takes
//! `schema`, then `stats`; `analyze` takes `stats`, then `schema`; each
//! holds them 120 ms, every 80 ms. Three queries (two
//! `peeps::spawn_named`, one plain `tokio::spawn`) take one permit, then
//! one of the two locks. Multi-thread runtime.
//!
//! Holding every permit of `db-slots`, a maintenance job is alone: the two
//! orders never run at once. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const SLOTS: u32 = 4;

struct Db {
    slots: Semaphore,
    schema: Mutex<u64>,
    stats: Mutex<Vec<u64>>,
}

#[peeps::instrument]
async fn vacuum(db: Arc<Db>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(80)).await;
        let _all = db.slots.acquire_many(SLOTS).await.expect("never closed");
        let schema = db.schema.lock().await;
        let mut stats = db.stats.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        stats.retain(|s| *s <= *schema + 1_000);
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn analyze(db: Arc<Db>, runs: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(80)).await;
        let _all = db.slots.acquire_many(SLOTS).await.expect("never closed");
        let stats = db.stats.lock().await;
        let mut schema = db.schema.lock().await;
        tokio::time::sleep(Duration::from_millis(120)).await;
        *schema = stats.len() as u64;
        runs.fetch_add(1, Ordering::Relaxed);
    }
}

async fn query(who: u64, db: Arc<Db>, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        {
            let _slot = db.slots.acquire().await.expect("never closed");
            if (n + who).is_multiple_of(2) {
                std::hint::black_box(*db.schema.lock().await);
            } else {
                db.stats.lock().await.push(n);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gate_acquire_all_permits_both_orders");
    let db = Arc::new(Db {
        slots: Semaphore::new(SLOTS as usize).named("db-slots"),
        schema: Mutex::new(0).named("schema"),
        stats: Mutex::new(Vec::new()).named("stats"),
    });
    let runs = Arc::new(AtomicU64::new(0));
    let served = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("vacuum", vacuum(db.clone(), runs.clone()));
    peeps::spawn_named("analyze", analyze(db.clone(), runs.clone()));
    for who in 1..=2 {
        peeps::spawn_named(
            format!("query-{who}"),
            query(who, db.clone(), served.clone()),
        );
    }
    tokio::spawn(query(3, db.clone(), served.clone()));
    ready_when(move |g| {
        runs.load(Ordering::Relaxed) >= 4
            && served.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Semaphore, "db-slots")
    });
    examples::park().await
}
