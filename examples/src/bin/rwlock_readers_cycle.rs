//! Deadlock: a writer waits for two readers, who both wait for a mutex the
//! writer holds.
//!
//! `reloader` locks `registry` and then wants to write `config`;
//! `reader-1` and `reader-2` each hold a read guard of `config` and then
//! want `registry`. A barrier makes the bad interleaving certain. The
//! writer needs *both* readers to let go, so all three tasks are one
//! deadlock; the cycle written out passes through the writer and one
//! reader, and the other reader is a member off that cycle.
//!
//! Expected: one `certain` deadlock of the three tasks over mutex
//! `registry` and rwlock `config`, nobody behind it.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, RwLock};
use std::collections::BTreeMap;
use std::sync::Arc;

type Registry = Arc<Mutex<Vec<&'static str>>>;
type Config = Arc<RwLock<BTreeMap<&'static str, u32>>>;

#[peeps::instrument]
async fn reload(registry: Registry, config: Config, started: Arc<Barrier>) {
    let services = registry.lock().await;
    started.wait().await;
    let mut config = config.write().await;
    for &service in services.iter() {
        *config.entry(service).or_default() += 1;
    }
}

#[peeps::instrument]
async fn read_config(registry: Registry, config: Config, started: Arc<Barrier>) {
    let config = config.read().await;
    started.wait().await;
    let mut services = registry.lock().await;
    services.extend(config.keys().copied());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_readers_cycle");
    let registry: Registry = Arc::new(Mutex::new(vec!["api", "db"]).named("registry"));
    let config: Config = Arc::new(RwLock::new(BTreeMap::new()).named("config"));
    let started = Arc::new(Barrier::new(3).named("all-started"));
    peeps::spawn_named(
        "reloader",
        reload(registry.clone(), config.clone(), started.clone()),
    );
    for name in ["reader-1", "reader-2"] {
        peeps::spawn_named(
            name,
            read_config(registry.clone(), config.clone(), started.clone()),
        );
    }

    ready_when(|g| {
        waiters(g, NodeKind::Rwlock, "config") == 1 && waiters(g, NodeKind::Mutex, "registry") == 2
    });
    park().await
}
