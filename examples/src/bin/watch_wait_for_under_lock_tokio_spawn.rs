//! Deadlock: an axum-style handler takes the database lock, then waits
//! (`watch::Receiver::wait_for`) for the startup migration to be done; the
//! migration task needs that lock to run (the startup race every service
//! with "wait until ready" gating meets once: the gate awaited inside the
//! critical section instead of before it).
//!
//! Both tasks are started with plain `tokio::spawn`, their bodies
//! `#[peeps::instrument] async fn`s. The `migrate` task owns the
//! `schema-status` watch sender; it first waits for the database to
//! accept connections (a short sleep), then locks `db` to apply the
//! migrations and publishes `migrated: true`. The request handler locks
//! `db` at once and, holding the guard, waits for `migrated`.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the handler
//! (waiting for a change of `schema-status`, whose sender is with the
//! migration task) and the migration task (waiting to lock `db`, held by
//! the handler).

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, watch};
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Db {
    schema_version: u32,
    rows: Vec<String>,
}

#[derive(Clone, Copy, Default)]
struct SchemaStatus {
    migrated: bool,
}

#[peeps::instrument]
async fn migrate(db: Arc<Mutex<Db>>, status: watch::Sender<SchemaStatus>) {
    // Wait for the database to accept connections.
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut db = db.lock().await;
    db.schema_version = 7;
    let _ = status.send(SchemaStatus { migrated: true });
}

#[peeps::instrument]
async fn handle_insert(db: Arc<Mutex<Db>>, mut status: watch::Receiver<SchemaStatus>, row: String) {
    let mut db = db.lock().await;
    if status.wait_for(|s| s.migrated).await.is_err() {
        return;
    }
    db.rows.push(row);
    println!("{} rows at schema {}", db.rows.len(), db.schema_version);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("watch_wait_for_under_lock_tokio_spawn");
    let db = Arc::new(Mutex::new(Db::default()).named("db"));
    let (status_tx, status_rx) = watch::channel_named("schema-status", SchemaStatus::default());
    tokio::spawn(handle_insert(db.clone(), status_rx, "order 12".to_owned()));
    tokio::spawn(migrate(db, status_tx));
    ready_when(|g| {
        waited_on(g, NodeKind::Mutex, "db")
            && waited_on_for(g, NodeKind::Channel, "schema-status", "changed")
    });
    park().await
}
