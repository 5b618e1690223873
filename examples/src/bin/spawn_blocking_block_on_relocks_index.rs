//! HANG: an `indexer` peeps task locks the `symbol-index` (a peeps
//! `Mutex`) and, still holding the guard, hands the parse of a file to
//! `spawn_blocking`, awaiting its `JoinHandle`. The sync parser resolves
//! imports through an async API: `Handle::block_on(index.lock())` on the
//! blocking thread (the bridge many sync-over-async codebases use).
//!
//! Expected: a deadlock of the `indexer` (joining the blocking task) and
//! the blocking thread (waiting on `symbol-index`, held by the indexer);
//! `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

fn parse_file(src: &str, index: &Mutex<BTreeMap<String, u32>>, rt: &tokio::runtime::Handle) -> u32 {
    let mut n = 0;
    for import in src.split_whitespace() {
        let idx = rt.block_on(index.lock());
        n += idx.get(import).copied().unwrap_or(0);
    }
    n
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("spawn_blocking_block_on_relocks_index");
    let index =
        Arc::new(Mutex::new(BTreeMap::from([("std".to_string(), 1u32)])).named("symbol-index"));
    let idx = index.clone();
    let indexer = peeps::spawn_named("indexer", async move {
        let mut guard = idx.lock().await;
        let rt = tokio::runtime::Handle::current();
        let idx2 = idx.clone();
        let refs = tokio::task::spawn_blocking(move || parse_file("std core alloc", &idx2, &rt))
            .await
            .unwrap();
        guard.insert("main.rs".into(), refs);
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "symbol-index") == 1);
    indexer.await.unwrap();
}
