//! Healthy twin of `spawn_blocking_block_on_relocks_index`: the
//! `indexer` peeps task releases `symbol-index` before it awaits the
//! `spawn_blocking` parse, whose sync parser takes the index with
//! `Handle::block_on(index.lock())` per import and parses for 30 ms (a
//! `std::thread::sleep`) under it; a `lookup` task locks the index every
//! 20 ms and holds it across a 10 ms sleep. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

fn parse_file(src: &str, index: &Mutex<BTreeMap<String, u32>>, rt: &tokio::runtime::Handle) -> u32 {
    let mut n = 0;
    for import in src.split_whitespace() {
        let idx = rt.block_on(index.lock());
        std::thread::sleep(Duration::from_millis(30));
        n += idx.get(import).copied().unwrap_or(0);
    }
    n
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_block_on_after_unlock");
    let index =
        Arc::new(Mutex::new(BTreeMap::from([("std".to_string(), 1u32)])).named("symbol-index"));
    let idx = index.clone();
    let indexer = peeps::spawn_named("indexer", async move {
        loop {
            let files = idx.lock().await.len();
            let rt = tokio::runtime::Handle::current();
            let idx2 = idx.clone();
            let refs =
                tokio::task::spawn_blocking(move || parse_file("std core alloc", &idx2, &rt))
                    .await
                    .unwrap();
            idx.lock()
                .await
                .insert(format!("file{}.rs", files % 50), refs);
        }
    });
    let idx = index.clone();
    peeps::spawn_named("lookup", async move {
        loop {
            {
                let g = idx.lock().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                if g.len() == usize::MAX {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "symbol-index") >= 1);
    indexer.await.unwrap();
}
