//! Deadlock (futurelock): "Barbara battles buffered streams" — a loop
//! over a `buffered` stream whose body locks the mutex the stream's own
//! futures take; while the body waits, the stream is not polled, and the
//! next future in it has already been handed the lock.
//!
//! `ingest` maps jobs to `store(job, db)` futures and runs them with
//! `.buffered(3)`; `store` locks `db`, writes (a short sleep) and lets go.
//! For each result the loop body locks `db` again to record progress.
//! When the first `store` finishes, tokio's fair mutex hands `db` to the
//! second `store`, queued since; the body queues behind it, and the second
//! `store`, inside the stream the body is not polling, never runs again.
//!
//! Expected: one `certain` deadlock of `ingest` with itself on mutex `db`:
//! its body waits for the lock a future of its own no longer polled was
//! given.

use examples::{park, ready_when, waiters};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[derive(Default)]
struct Db {
    rows: Vec<u32>,
    progress: Vec<usize>,
}

async fn store(job: u32, db: Arc<Mutex<Db>>) -> usize {
    let mut db = db.lock().await;
    // Write the row.
    tokio::time::sleep(Duration::from_millis(20)).await;
    db.rows.push(job);
    db.rows.len()
}

#[peeps::instrument]
async fn ingest(jobs: Vec<u32>, db: Arc<Mutex<Db>>) {
    let mut results = futures::stream::iter(jobs)
        .map(|job| store(job, db.clone()))
        .buffered(3);
    while let Some(rows) = results.next().await {
        db.lock().await.progress.push(rows);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("buffered_stream_body_locks");
    let db = Arc::new(Mutex::new(Db::default()).named("db"));
    peeps::spawn_named("ingest", ingest((1..=6).collect(), db));
    ready_when(|g| waiters(g, NodeKind::Mutex, "db") >= 2);
    park().await
}
