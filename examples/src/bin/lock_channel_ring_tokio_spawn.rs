//! Deadlock: a cycle through a mutex and two bounded channels, the three
//! tasks started with plain `tokio::spawn` (the middle one as an `async
//! move` block calling an instrumented function).
//!
//! `import` holds the `catalog` lock while it feeds `jobs` (capacity 1);
//! `resize` turns each job into a result on `results` (capacity 1);
//! `publish` records each result in the catalog, so it needs the
//! `catalog` lock. Once both channels are full: import waits to send on
//! `jobs`, whose only reader waits to send on `results`, whose only
//! reader waits for the lock import holds.
//!
//! Expected: one `probable` deadlock of the three tasks (named after their
//! tokio ids) over mutex `catalog` and channels `jobs` and `results`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::collections::BTreeMap;
use std::sync::Arc;

type Catalog = Arc<Mutex<BTreeMap<u64, String>>>;

#[peeps::instrument]
async fn import(catalog: Catalog, jobs: mpsc::Sender<u64>) {
    let mut catalog = catalog.lock().await;
    for image in 0..10 {
        catalog.insert(image, "pending".to_owned());
        if jobs.send(image).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn resize(mut jobs: mpsc::Receiver<u64>, results: mpsc::Sender<(u64, String)>) {
    while let Some(image) = jobs.recv().await {
        let thumb = format!("thumb-{image}.png");
        if results.send((image, thumb)).await.is_err() {
            return;
        }
    }
}

#[peeps::instrument]
async fn publish(catalog: Catalog, mut results: mpsc::Receiver<(u64, String)>) {
    while let Some((image, thumb)) = results.recv().await {
        catalog.lock().await.insert(image, thumb);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("lock_channel_ring_tokio_spawn");
    let catalog: Catalog = Arc::new(Mutex::new(BTreeMap::new()).named("catalog"));
    let (jobs_tx, jobs_rx) = mpsc::channel_named("jobs", 1);
    let (results_tx, results_rx) = mpsc::channel_named("results", 1);
    tokio::spawn(import(catalog.clone(), jobs_tx));
    tokio::spawn(async move {
        resize(jobs_rx, results_tx).await;
        println!("resizer stopped");
    });
    tokio::spawn(publish(catalog, results_rx));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "jobs", "send")
            && waited_on_for(g, NodeKind::Channel, "results", "send")
            && waited_on_for(g, NodeKind::Mutex, "catalog", "lock")
    });
    park().await
}
