//! Healthy, under steady load: edit leases on documents, kept in a lease
//! table. Each of four documents is an `Arc<Mutex<Doc>>` named `doc`.
//! Four plain editors take a document with `lock_owned()` (the lease),
//! park the owned guard in the lease table (a `std::sync::Mutex<HashMap>`
//! of guards with their expiry) and go on: they take `edit-stats` to
//! count the lease and keep it 2 ms. A plain reaper, every 40 ms, takes
//! the expired leases (older than 60 ms) out of the table and drops them,
//! taking no async lock. A plain indexer, every 70 ms, takes `edit-stats`
//! and, holding it, locks each document in turn to index it (waiting for
//! its lease to expire).
//!
//! An editor does not hold its document once the lease is parked: only
//! the reaper lets it go, on its timer, whatever the editors and the
//! indexer wait for. The indexer waits for a document held by the table;
//! editors wait for `edit-stats` behind the indexer. The program cannot
//! hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OwnedMutexGuard};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Doc {
    text: String,
    indexed: u64,
}

type Leases = std::sync::Mutex<HashMap<u64, (OwnedMutexGuard<Doc>, Instant)>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_edit_leases_parked_in_std_map_then_stats_indexer_plain");
    let docs: Vec<Arc<Mutex<Doc>>> = (0..4)
        .map(|d| {
            Arc::new(
                Mutex::new(Doc {
                    text: format!("doc {d}"),
                    indexed: 0,
                })
                .named("doc"),
            )
        })
        .collect();
    let leases: Arc<Leases> = Arc::new(std::sync::Mutex::new(HashMap::new()));
    let stats = Arc::new(Mutex::new(0u64).named("edit-stats"));
    let next_lease = Arc::new(AtomicU64::new(0));
    let edits = Arc::new(AtomicU64::new(0));
    let indexed = Arc::new(AtomicU64::new(0));
    for e in 0..4u64 {
        let docs = docs.clone();
        let leases = leases.clone();
        let stats = stats.clone();
        let next_lease = next_lease.clone();
        let edits = edits.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut doc = docs[((n + e) % 4) as usize].clone().lock_owned().await;
                doc.text.push('.');
                let id = next_lease.fetch_add(1, Ordering::Relaxed);
                leases
                    .lock()
                    .expect("lease table")
                    .insert(id, (doc, Instant::now()));
                let mut count = stats.lock().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                *count += 1;
                drop(count);
                edits.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let leases = leases.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(40)).await;
                let expired: Vec<_> = {
                    let mut table = leases.lock().expect("lease table");
                    let old: Vec<u64> = table
                        .iter()
                        .filter(|(_, (_, at))| at.elapsed() >= Duration::from_millis(60))
                        .map(|(id, _)| *id)
                        .collect();
                    old.iter().filter_map(|id| table.remove(id)).collect()
                };
                drop(expired);
            }
        });
    }
    {
        let indexed = indexed.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(70)).await;
                let count = stats.lock().await;
                for doc in &docs {
                    let mut d = doc.lock().await;
                    d.indexed = *count;
                }
                drop(count);
                indexed.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |g| {
        edits.load(Ordering::Relaxed) >= 20
            && indexed.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "doc")
    });
    park().await
}
