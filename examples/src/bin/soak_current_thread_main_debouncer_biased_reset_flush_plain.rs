//! Healthy, under steady load: a file-watcher debouncer on a
//! current-thread runtime, its event loop in `main`. `main` loops on a
//! `biased;` `select!` over a `Notified` of a shutdown `Notify` pinned
//! outside the loop (never notified: ctrl-c would), change events from an
//! `mpsc` (capacity 16; two plain watchers send bursts of 1-10 paths 1 ms
//! apart, then pause 500-700 ms), and a debounce `Sleep` pinned outside the
//! loop, `reset` 25 ms ahead on every event and enabled only while paths
//! are pending. On the debounce it locks the `Mutex` of the build index,
//! updates it and sends the batch to a plain builder over an `mpsc`
//! (capacity 2) that takes 10 ms per batch and locks the index too. A
//! plain status task locks the index every 40 ms. Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, Notify, mpsc};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const DEBOUNCE: Duration = Duration::from_millis(25);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_main_debouncer_biased_reset_flush_plain");
    let index = Arc::new(Mutex::new(HashMap::<String, u64>::new()));
    let shutdown = Arc::new(Notify::new());
    let builds = Arc::new(AtomicU64::new(0));

    let (events_tx, mut events) = mpsc::channel::<String>(16);
    for w in 0..2u64 {
        let tx = events_tx.clone();
        tokio::spawn(async move {
            for burst in 0u64.. {
                for i in 0..1 + (burst + w) % 10 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    if tx
                        .send(format!("src/{w}/{}.rs", (burst + i) % 12))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(500 + w * 200)).await;
            }
        });
    }
    drop(events_tx);

    let (batches_tx, mut batches) = mpsc::channel::<Vec<String>>(2);
    let (ix, b) = (index.clone(), builds.clone());
    tokio::spawn(async move {
        while let Some(batch) = batches.recv().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let mut ix = ix.lock().await;
            for path in batch {
                *ix.entry(path).or_default() += 1;
            }
            b.fetch_add(1, Ordering::Relaxed);
        }
    });

    let ix = index.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let ix = ix.lock().await;
            let _ = ix.len();
        }
    });

    let b = builds.clone();
    ready_when(move |_| b.load(Ordering::Relaxed) >= 3);

    let stop = shutdown.notified();
    tokio::pin!(stop);
    let debounce = tokio::time::sleep(DEBOUNCE);
    tokio::pin!(debounce);
    let mut pending: BTreeSet<String> = BTreeSet::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            ev = events.recv() => {
                let Some(path) = ev else { break };
                pending.insert(path);
                debounce.as_mut().reset(Instant::now() + DEBOUNCE);
            }
            _ = &mut debounce, if !pending.is_empty() => {
                let batch: Vec<String> = std::mem::take(&mut pending).into_iter().collect();
                {
                    let mut ix = index.lock().await;
                    for path in &batch {
                        ix.entry(path.clone()).or_default();
                    }
                }
                if batches_tx.send(batch).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = builds.load(Ordering::Relaxed);
}
