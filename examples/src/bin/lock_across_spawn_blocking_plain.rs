//! Healthy control: a mutex guard held across `spawn_blocking(..).await`
//! of work that does not need the mutex. No peeps annotation at all:
//! plain `tokio::spawn` of `async move` blocks.
//!
//! A compactor locks the index and hands the merge of two segments to
//! `spawn_blocking` (a long computation: a `std::thread::sleep` here),
//! keeping the guard until the merge is in; two searches wait for the
//! index meanwhile.
//!
//! Expected: no deadlock, no potential deadlock: the guard's holder
//! waits on a blocking thread that needs nothing, the searches wait on
//! mutex `index`.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_across_spawn_blocking_plain");
    let index = Arc::new(Mutex::new(vec![vec![1u64, 3], vec![2, 4]]).named("index"));
    let (locked, compactor_locked) = oneshot::channel_named("compactor-locked");

    let for_compactor = index.clone();
    tokio::spawn(async move {
        let mut segments = for_compactor.lock().await;
        let pair = std::mem::take(&mut *segments);
        let _ = locked.send(());
        let merged = tokio::task::spawn_blocking(move || {
            std::thread::sleep(Duration::from_secs(3600));
            let mut all: Vec<u64> = pair.into_iter().flatten().collect();
            all.sort_unstable();
            all
        })
        .await
        .unwrap_or_default();
        segments.push(merged);
    });
    // Searches start once the compaction is under way.
    let _ = compactor_locked.await;
    for query in [2u64, 3] {
        let index = index.clone();
        tokio::spawn(async move {
            let segments = index.lock().await;
            let hits = segments.iter().filter(|s| s.contains(&query)).count();
            println!("query {query}: {hits} hits");
        });
    }

    ready_when(|g| waiters(g, NodeKind::Mutex, "index") == 2);
    park().await
}
