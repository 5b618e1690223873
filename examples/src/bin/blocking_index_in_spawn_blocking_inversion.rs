//! A potential deadlock, never a deadlock: an async task locks the tokio
//! mutex `catalog`, then, briefly, the std-style blocking mutex `index`
//! (`peeps::sync::blocking::Mutex`); later a `spawn_blocking` rebuild
//! locks `index`, then `catalog` with `blocking_lock()`. No peeps
//! annotation: plain `tokio::spawn`, `spawn_blocking`, `#[tokio::main]`.
//!
//! Run at the same time, the ingest task (holding `catalog`, its worker
//! thread parked on `index`) and the rebuild (holding `index`, parked on
//! `catalog`) never finish. Here they run a while apart.
//!
//! Expected: no deadlock; exactly one potential deadlock naming `catalog`
//! and `index`.

use examples::{park, ready};
use peeps::sync::Mutex;
use peeps::sync::blocking::Mutex as BlockingMutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("blocking_index_in_spawn_blocking_inversion");
    let catalog = Arc::new(Mutex::new(Vec::<String>::new()).named("catalog"));
    let index = Arc::new(BlockingMutex::new(HashMap::<String, usize>::new()).named("index"));

    let (c, i) = (catalog.clone(), index.clone());
    tokio::spawn(async move {
        for doc in ["a", "b", "c"] {
            let mut docs = c.lock().await;
            docs.push(doc.to_owned());
            i.lock().insert(doc.to_owned(), docs.len() - 1);
        }
    })
    .await
    .expect("the ingest");

    tokio::time::sleep(Duration::from_millis(50)).await;
    tokio::task::spawn_blocking(move || {
        let mut positions = index.lock();
        let docs = catalog.blocking_lock();
        positions.clear();
        for (n, doc) in docs.iter().enumerate() {
            positions.insert(doc.clone(), n);
        }
    })
    .await
    .expect("the rebuild");

    ready();
    park().await
}
