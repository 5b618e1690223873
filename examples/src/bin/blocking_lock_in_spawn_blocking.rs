//! Deadlock: a task holds a tokio mutex guard while it awaits a
//! `spawn_blocking` closure that calls `blocking_lock()` on that mutex.
//!
//! An exporter (`peeps::spawn_named`) locks the metrics, and hands the
//! CPU-heavy encoding to `spawn_blocking`; the encoder takes the metrics
//! again with `blocking_lock()` to read them, while the exporter still
//! holds the guard and awaits the encoder.
//!
//! Expected: one `certain` deadlock of the exporter and the closure's
//! task over mutex `metrics`: the exporter waits for the closure (its
//! tokio `JoinHandle` keeps the exporter's waker in the closure's task
//! cell, known from the closure's blocking call), the closure waits for
//! `metrics`, whose guard the exporter holds.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

type Metrics = Arc<Mutex<BTreeMap<&'static str, u64>>>;

#[peeps::instrument]
async fn export(metrics: Metrics) {
    let mut current = metrics.lock().await;
    current.insert("exports", 1);
    let for_encoder = metrics.clone();
    let encoded = tokio::task::spawn_blocking(move || {
        let metrics = for_encoder.blocking_lock();
        format!("{metrics:?}")
    })
    .await;
    current.clear();
    println!("{encoded:?}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_lock_in_spawn_blocking");
    let metrics: Metrics = Arc::new(Mutex::new(BTreeMap::new()).named("metrics"));
    peeps::spawn_named("exporter", export(metrics));

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "metrics", "lock"));
    park().await
}
