//! Healthy, under steady load: a file-watcher debouncer on a
//! current-thread runtime, its event loop in `main`. `main` loops on a
//! `biased;` `select!` over a `Notified` of a shutdown `Notify` pinned
//! outside the loop (never notified: ctrl-c would), events from an `mpsc`
//! (capacity 16), and a debounce `Sleep` pinned outside the loop, `reset`
//! 400 ms ahead on every change and enabled only while changes or sync
//! requests are pending. Two plain watchers each send a burst of 1-10
//! changed paths 1 ms apart, then a `Sync` event carrying a `oneshot`
//! sender and await it ("my changes are built"), then pause 100-300 ms.
//! On the debounce `main` locks the `Mutex` of the build index, updates
//! it, sends the batch to a plain builder over an `mpsc` (capacity 2)
//! that takes 10 ms per batch and locks the index too, and answers every
//! pending `Sync`. So while both watchers wait for their answer, `main`
//! waits on events only they could send, and on its debounce timer,
//! which breaks the cycle every time. A plain status task locks the index
//! once a second. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, Notify, mpsc, oneshot};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const DEBOUNCE: Duration = Duration::from_millis(400);

enum Event {
    Changed(String),
    Sync(oneshot::Sender<u64>),
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_main_debouncer_biased_reset_flush_plain");
    let index = Arc::new(Mutex::new(HashMap::<String, u64>::new()));
    let shutdown = Arc::new(Notify::new());
    let synced = Arc::new(AtomicU64::new(0));

    let (events_tx, mut events) = mpsc::channel::<Event>(16);
    for w in 0..2u64 {
        let (tx, synced) = (events_tx.clone(), synced.clone());
        tokio::spawn(async move {
            for burst in 0u64.. {
                for i in 0..1 + (burst + w) % 10 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    let path = format!("src/{w}/{}.rs", (burst + i) % 12);
                    if tx.send(Event::Changed(path)).await.is_err() {
                        return;
                    }
                }
                let (reply, built) = oneshot::channel();
                if tx.send(Event::Sync(reply)).await.is_err() {
                    return;
                }
                if built.await.is_err() {
                    return;
                }
                synced.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100 + w * 200)).await;
            }
        });
    }
    drop(events_tx);

    let (batches_tx, mut batches) = mpsc::channel::<Vec<String>>(2);
    let ix = index.clone();
    tokio::spawn(async move {
        while let Some(batch) = batches.recv().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let mut ix = ix.lock().await;
            for path in batch {
                *ix.entry(path).or_default() += 1;
            }
        }
    });

    let ix = index.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(1000)).await;
            let ix = ix.lock().await;
            let _ = ix.len();
        }
    });

    let s = synced.clone();
    ready_when(move |_| s.load(Ordering::Relaxed) >= 3);

    let stop = shutdown.notified();
    tokio::pin!(stop);
    let debounce = tokio::time::sleep(DEBOUNCE);
    tokio::pin!(debounce);
    let mut pending: BTreeSet<String> = BTreeSet::new();
    let mut waiting: Vec<oneshot::Sender<u64>> = Vec::new();
    let mut flushes = 0u64;
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            ev = events.recv() => match ev {
                Some(Event::Changed(path)) => {
                    pending.insert(path);
                    debounce.as_mut().reset(Instant::now() + DEBOUNCE);
                }
                Some(Event::Sync(reply)) => waiting.push(reply),
                None => break,
            },
            _ = &mut debounce, if !pending.is_empty() || !waiting.is_empty() => {
                let batch: Vec<String> = std::mem::take(&mut pending).into_iter().collect();
                if !batch.is_empty() {
                    {
                        let mut ix = index.lock().await;
                        for path in &batch {
                            ix.entry(path.clone()).or_default();
                        }
                    }
                    if batches_tx.send(batch).await.is_err() {
                        break;
                    }
                    flushes += 1;
                }
                for reply in waiting.drain(..) {
                    let _ = reply.send(flushes);
                }
            }
        }
    }
}
