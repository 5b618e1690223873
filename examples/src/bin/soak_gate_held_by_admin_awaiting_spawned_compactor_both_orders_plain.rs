//! Healthy, under steady load: a maintenance gate held by the task that
//! waits for the work. `maintenance-gate` is an `RwLock<()>`. Six plain
//! handlers take it for reading and, under it, `index` then `data`. A
//! plain admin task, every 300 ms, takes the gate for writing, and,
//! holding it, `tokio::spawn`s a compactor and awaits its `JoinHandle`
//! (as code does to run work on its own task, or to survive a panic): the
//! compactor takes `data` then `index` (the other order) and keeps them
//! 20 ms. The admin lets the gate go once the compactor is done.
//!
//! The two orders never run at once: while the compactor runs, the admin
//! holds the gate for writing and the handlers wait to read it. The
//! program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Db {
    gate: Arc<RwLock<()>>,
    index: Mutex<Vec<u64>>,
    data: Mutex<Vec<u64>>,
}

async fn handle(db: &Db, n: u64) {
    let _gate = db.gate.read().await;
    let mut index = db.index.lock().await;
    let mut data = db.data.lock().await;
    data.push(n);
    index.push(data.len() as u64);
}

async fn compact(db: &Db) {
    let mut data = db.data.lock().await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut index = db.index.lock().await;
    data.truncate(64);
    index.truncate(64);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_gate_held_by_admin_awaiting_spawned_compactor_both_orders_plain");
    let db = Arc::new(Db {
        gate: Arc::new(RwLock::new(()).named("maintenance-gate")),
        index: Mutex::new(Vec::new()).named("index"),
        data: Mutex::new(Vec::new()).named("data"),
    });
    let handled = Arc::new(AtomicU64::new(0));
    let compactions = Arc::new(AtomicU64::new(0));
    for h in 0..6u64 {
        let db = db.clone();
        let handled = handled.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                handle(&db, n * 6 + h).await;
                handled.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let db = db.clone();
        let compactions = compactions.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let maintenance = db.gate.write().await;
                let compactor = tokio::spawn({
                    let db = db.clone();
                    async move { compact(&db).await }
                });
                if compactor.await.is_ok() {
                    compactions.fetch_add(1, Ordering::Relaxed);
                }
                drop(maintenance);
            }
        });
    }
    ready_when(move |g| {
        handled.load(Ordering::Relaxed) >= 100
            && compactions.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Rwlock, "maintenance-gate")
    });
    park().await
}
