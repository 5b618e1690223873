//! Deadlock: tokio's `Semaphore` is fair, so a task holding an owned
//! permit (`acquire_owned`) that asks for a second one queues behind a
//! bulk `acquire_many` that needs the permit it holds, though enough
//! permits are free for its own request.
//!
//! `segments` has 3 permits. `ingest` (`peeps::spawn_named`) takes an owned
//! permit for a segment, keeps it in a local, and 50 ms later takes a
//! second owned permit for the next segment. Between the two,
//! `rebalance` (`peeps::spawn_named`) asks for all 3 with
//! `acquire_many(3)` and queues; `ingest`'s second acquire queues behind
//! it, with 2 permits free.
//!
//! Expected: one deadlock of `ingest` and `rebalance`: the bulk acquire
//! waits for `ingest`'s owned permit; `ingest`'s second acquire waits
//! behind the bulk one, queued first.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn ingest(segments: Arc<Semaphore>) {
    let first = segments
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let second = segments
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    println!(
        "ingested into {} segments",
        first.num_permits() + second.num_permits()
    );
}

#[peeps::instrument]
async fn rebalance(segments: Arc<Semaphore>) {
    tokio::time::sleep(Duration::from_millis(10)).await;
    let _all = segments.acquire_many(3).await.expect("never closed");
    println!("rebalanced every segment");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_permit_second_behind_bulk");
    let segments = Arc::new(Semaphore::new(3).named("segments"));
    peeps::spawn_named("ingest", ingest(segments.clone()));
    peeps::spawn_named("rebalance", rebalance(segments));
    ready_when(|g| waiters(g, NodeKind::Semaphore, "segments") == 2);
    park().await
}
