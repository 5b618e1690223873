//! Deadlock: a `OnceCell`'s initialiser waits for a mutex held by a task
//! that waits for the same cell's value.
//!
//! `loader` (`peeps::spawn_named`) builds the shared schema: its
//! initialiser reads `catalog`. `migrator` holds `catalog`'s guard while
//! it asks for the schema, waiting for the loader's initialisation. A
//! barrier only makes the migrator lock before the loader's initialiser
//! runs.
//!
//! Expected: one deadlock of `loader` and `migrator` over mutex `catalog`
//! and once cell `schema`: the initialiser waits for the guard the
//! migrator holds, the migrator for the initialisation the loader runs.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex, OnceCell};
use std::sync::Arc;

type Catalog = Arc<Mutex<Vec<String>>>;
type Schema = Arc<OnceCell<usize>>;

#[peeps::instrument]
async fn load(catalog: Catalog, schema: Schema, started: Arc<Barrier>) {
    let tables = schema
        .get_or_init(|| async {
            started.wait().await;
            catalog.lock().await.len()
        })
        .await;
    println!("{tables} tables");
}

#[peeps::instrument]
async fn migrate(catalog: Catalog, schema: Schema, started: Arc<Barrier>) {
    let mut tables = catalog.lock().await;
    started.wait().await;
    let known = schema.get_or_init(|| async { 0 }).await;
    tables.truncate(*known);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_init_behind_waiter_lock");
    let catalog: Catalog = Arc::new(Mutex::new(vec!["users".to_string()]).named("catalog"));
    let schema: Schema = Arc::new(OnceCell::new().named("schema"));
    let started = Arc::new(Barrier::new(2).named("started"));
    peeps::spawn_named(
        "loader",
        load(catalog.clone(), schema.clone(), started.clone()),
    );
    peeps::spawn_named("migrator", migrate(catalog, schema, started));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "catalog", "lock")
            && g.edges
                .iter()
                .filter(|e| e.kind == peeps::graph::EdgeKind::WaitsOn)
                .count()
                >= 2
    });
    park().await
}
