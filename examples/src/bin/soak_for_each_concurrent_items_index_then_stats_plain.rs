//! Healthy, under steady load: one plain indexer task processes batches
//! of documents with `futures::StreamExt::for_each_concurrent(4, ..)`.
//! Each document's future takes `index`, awaits a 5 ms "tokenize" while
//! holding it, then, still holding `index`, takes `stats` for a moment:
//! so sibling futures of the one task wait on `index` held by another
//! future of the same task, across a timer. A plain compactor takes
//! `index` every 300 ms and keeps it across 80 ms; a plain reporter takes
//! `stats` every 100 ms and keeps it across 30 ms. Lock order: `index`
//! then `stats`, everywhere.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use futures::StreamExt;
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Indexer {
    index: Mutex<HashMap<u64, Vec<u64>>>,
    stats: Mutex<(u64, u64)>,
}

impl Indexer {
    async fn add(&self, doc: u64) {
        let mut index = self.index.lock().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        index.entry(doc % 13).or_default().push(doc);
        let mut stats = self.stats.lock().await;
        stats.0 += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_for_each_concurrent_items_index_then_stats_plain");
    let indexer = Arc::new(Indexer {
        index: Mutex::new(HashMap::new()).named("index"),
        stats: Mutex::new((0, 0)).named("stats"),
    });
    let indexed = Arc::new(AtomicU64::new(0));
    {
        let indexer = indexer.clone();
        let indexed = indexed.clone();
        tokio::spawn(async move {
            for batch in 0u64.. {
                let docs = (batch * 10)..(batch * 10 + 10);
                futures::stream::iter(docs)
                    .for_each_concurrent(4, |doc| {
                        let indexer = &indexer;
                        async move { indexer.add(doc).await }
                    })
                    .await;
                indexed.fetch_add(10, Ordering::Relaxed);
            }
        });
    }
    {
        let indexer = indexer.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mut index = indexer.index.lock().await;
                tokio::time::sleep(Duration::from_millis(80)).await;
                for docs in index.values_mut() {
                    docs.truncate(4);
                }
            }
        });
    }
    {
        let indexer = indexer.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let mut stats = indexer.stats.lock().await;
                tokio::time::sleep(Duration::from_millis(30)).await;
                stats.1 = stats.0;
            }
        });
    }
    ready_when(move |g| {
        indexed.load(Ordering::Relaxed) >= 50 && waited_on(g, NodeKind::Mutex, "index")
    });
    park().await
}
