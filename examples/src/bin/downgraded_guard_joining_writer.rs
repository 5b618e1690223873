//! Deadlock: a write guard downgraded to a read guard, held while its
//! task joins a child that needs the write lock.
//!
//! `reindexer` (`peeps::spawn_named`) writes the index, downgrades its
//! guard to keep reading it consistently, and starts `compactor`
//! (`peeps::spawn_named`), then awaits the compactor with the read guard
//! still alive; the compactor needs the write lock.
//!
//! Expected: one `certain` deadlock of `reindexer` and `compactor` over
//! rwlock `index`: the compactor's write waits for the read guard (the
//! downgraded one) `reindexer` holds, and `reindexer` joins `compactor`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::RwLock;
use std::sync::Arc;

type Index = Arc<RwLock<Vec<u64>>>;

#[peeps::instrument]
async fn compact(index: Index) {
    index.write().await.dedup();
}

#[peeps::instrument]
async fn reindex(index: Index) {
    let mut entries = index.write().await;
    entries.extend([3, 1, 2, 2]);
    entries.sort_unstable();
    let entries = entries.downgrade();
    let compactor = peeps::spawn_named("compactor", compact(index.clone()));
    let _ = compactor.await;
    println!("{} entries", entries.len());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("downgraded_guard_joining_writer");
    let index: Index = Arc::new(RwLock::new(Vec::new()).named("index"));
    peeps::spawn_named("reindexer", reindex(index));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "index", "write")
            && waited_on_for(g, NodeKind::Task, "compactor", "join")
    });
    park().await
}
