//! Healthy, under steady load: CPU work in `spawn_blocking` under a
//! `peeps::sync::blocking::Mutex`. A search index (`index`, a blocking
//! mutex) is only ever touched from `spawn_blocking` closures. Plain
//! `tokio::spawn` of `async move` blocks, no peeps annotation.
//!
//! - three indexers drain `pending` (a tokio mutex fed by an ingest task
//!   every 10 ms), hand the documents to a `spawn_blocking` closure that
//!   locks `index` and tokenizes for 20-60 ms, await it, then count under
//!   `stats`;
//! - two searchers take a read of `catalog` (a tokio `RwLock`) and keep it
//!   across the `spawn_blocking` search (10-30 ms under `index`);
//! - an admin writes `catalog` every 300 ms.
//!
//! The blocking closures wait only for each other's `index`, whose holder
//! is always busy on CPU work; no closure needs a lock an async task holds.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::graph::{EdgeKind, NodeKind};
use peeps::sync::blocking;
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Index {
    postings: HashMap<String, Vec<u64>>,
}

struct State {
    index: Arc<blocking::Mutex<Index>>,
    pending: Mutex<Vec<(u64, String)>>,
    stats: Mutex<u64>,
    catalog: RwLock<Vec<String>>,
    searches: AtomicU64,
}

async fn index_batch(state: &State, who: u64) {
    let docs: Vec<(u64, String)> = std::mem::take(&mut *state.pending.lock().await);
    if docs.is_empty() {
        tokio::time::sleep(Duration::from_millis(15)).await;
        return;
    }
    let n = docs.len() as u64;
    let index = state.index.clone();
    tokio::task::spawn_blocking(move || {
        let mut idx = index.lock();
        std::thread::sleep(Duration::from_millis(20 + (n * 13 + who * 7) % 40));
        for (id, text) in docs {
            for word in text.split(' ') {
                idx.postings.entry(word.to_owned()).or_default().push(id);
            }
        }
    })
    .await
    .expect("the indexer");
    *state.stats.lock().await += n;
}

async fn search(state: &State, n: u64) -> usize {
    let catalog = state.catalog.read().await;
    let word = catalog[(n as usize) % catalog.len()].clone();
    let index = state.index.clone();
    let hits = tokio::task::spawn_blocking(move || {
        let idx = index.lock();
        std::thread::sleep(Duration::from_millis(10 + n % 20));
        idx.postings.get(&word).map_or(0, Vec::len)
    })
    .await
    .expect("the search");
    drop(catalog);
    state.searches.fetch_add(1, Ordering::Relaxed);
    hits
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_index_writer_plain");
    let state = Arc::new(State {
        index: Arc::new(blocking::Mutex::new(Index::default()).named("index")),
        pending: Mutex::new(Vec::new()).named("pending"),
        stats: Mutex::new(0).named("stats"),
        catalog: RwLock::new(vec!["alpha".into(), "beta".into(), "gamma".into()]).named("catalog"),
        searches: AtomicU64::new(0),
    });
    {
        let state = state.clone();
        tokio::spawn(async move {
            for id in 0u64.. {
                let words = ["alpha", "beta", "gamma", "delta"];
                let text = format!(
                    "{} {}",
                    words[(id % 4) as usize],
                    words[(id / 4 % 4) as usize]
                );
                state.pending.lock().await.push((id, text));
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
    }
    for who in 0..3u64 {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                index_batch(&state, who).await;
            }
        });
    }
    for s in 0..2u64 {
        let state = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                std::hint::black_box(search(&state, n + s).await);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let state = state.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mut catalog = state.catalog.write().await;
                let len = catalog.len();
                catalog[(n as usize) % len] =
                    ["alpha", "beta", "gamma", "delta"][(n % 4) as usize].into();
            }
        });
    }
    ready_when(move |g| {
        state.searches.load(Ordering::Relaxed) >= 20
            && g.edges.iter().any(|e| {
                e.kind == EdgeKind::WaitsOn
                    && g.nodes
                        .iter()
                        .any(|n| n.id == e.to && n.kind == NodeKind::Mutex && n.name == "index")
            })
    });
    park().await
}
