//! Healthy: two plain tasks that keep a peeps lock across a `select!` whose
//! other branch is a tokio primitive peeps does not instrument.
//!
//! The `router` (plain `tokio::spawn`) read-locks `routes` (a peeps
//! `RwLock`) and, holding the guard, waits for either a change on `config`
//! (a peeps `watch`) or a `tokio::sync::Notify` reload request. The
//! `loader` write-locks `routes` before it publishes each new version on
//! `config`: it waits for the write lock while the router waits for its
//! next version, until the admin ticker's `notify_one` (every 300 ms) ends
//! the router's turn.
//!
//! The `auditor` (plain) locks `audit-log` (a peeps `Mutex`) and, holding
//! it, waits for either an event on a `tokio::sync::mpsc` channel (fed by
//! a request task every 200 ms) or a flush order on `flush-orders` (a peeps
//! channel). The `flusher` locks `audit-log` before each flush order: it
//! waits for the lock while the auditor waits for its order, until the
//! next tokio event.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock, mpsc, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_route_table_read_select_notify_tokio_mpsc_plain");
    let routes = Arc::new(RwLock::new(HashMap::<String, u16>::new()).named("routes"));
    let (config, mut config_rx) = watch::channel_named("config", 0u64);
    let reload = Arc::new(tokio::sync::Notify::new());

    let router_routes = routes.clone();
    let router_reload = reload.clone();
    tokio::spawn(async move {
        loop {
            let table = router_routes.read().await;
            tokio::select! {
                changed = config_rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let version = *config_rx.borrow_and_update();
                    std::hint::black_box((version, table.len()));
                }
                _ = router_reload.notified() => {
                    std::hint::black_box(table.len());
                }
            }
        }
    });

    let loader_routes = routes.clone();
    tokio::spawn(async move {
        for version in 1u64.. {
            tokio::time::sleep(Duration::from_millis(120)).await;
            let mut table = loader_routes.write().await;
            table.insert(format!("svc-{}", version % 8), (version % 1000) as u16);
            drop(table);
            if config.send(version).is_err() {
                return;
            }
        }
    });

    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_millis(300));
        loop {
            ticker.tick().await;
            reload.notify_one();
        }
    });

    let audit_log = Arc::new(Mutex::new(Vec::<String>::new()).named("audit-log"));
    let (events, mut event_rx) = tokio::sync::mpsc::channel::<String>(64);
    let (flush_orders, mut flush_rx) = mpsc::channel_named::<()>("flush-orders", 4);

    let auditor_log = audit_log.clone();
    tokio::spawn(async move {
        loop {
            let mut log = auditor_log.lock().await;
            tokio::select! {
                Some(event) = event_rx.recv() => log.push(event),
                Some(()) = flush_rx.recv() => log.clear(),
                else => return,
            }
        }
    });

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(90)).await;
            let pending = audit_log.lock().await.len();
            std::hint::black_box(pending);
            if flush_orders.send(()).await.is_err() {
                return;
            }
        }
    });

    tokio::spawn(async move {
        for request in 0u64.. {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if events.send(format!("GET /{request}")).await.is_err() {
                return;
            }
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Rwlock, "routes", "write")
            && waited_on_for(snap, NodeKind::Mutex, "audit-log", "lock")
    });
    park().await
}
