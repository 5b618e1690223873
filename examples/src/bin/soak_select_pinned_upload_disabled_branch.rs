//! Healthy, under steady load: a batcher with an upload in flight. The
//! `batcher` (`peeps::spawn_named`) keeps one pinned upload future across
//! the iterations of a `select!` loop; its branch is enabled only once
//! five records are batched (`if batched >= 5`). An upload locks `bucket`
//! and writes for 200 ms. While the branch is disabled the upload is not
//! polled, though it may already wait for `bucket` or have been handed
//! it; records arrive on `records` every 40 ms from a `producer`
//! (`peeps::spawn_named`), so the branch is enabled again within 200 ms.
//! Two `listers` (one `peeps::spawn_named`, one plain `tokio::spawn`)
//! lock `bucket` every 30 ms. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `bucket` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

async fn upload(bucket: Arc<Mutex<Vec<u64>>>, batch: Vec<u64>) -> usize {
    let mut b = bucket.lock().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    b.extend_from_slice(&batch);
    if b.len() > 256 {
        b.clear();
    }
    batch.len()
}

#[peeps::instrument]
async fn batch_loop(
    mut records: mpsc::Receiver<u64>,
    bucket: Arc<Mutex<Vec<u64>>>,
    uploads: Arc<AtomicU64>,
) {
    let mut pending: Vec<u64> = Vec::new();
    let mut upload_fut = Box::pin(upload(bucket.clone(), Vec::new()));
    let mut batched = 0usize;
    loop {
        tokio::select! {
            n = &mut upload_fut, if batched >= 5 => {
                std::hint::black_box(n);
                uploads.fetch_add(1, Ordering::Relaxed);
                batched = 0;
                upload_fut = Box::pin(upload(bucket.clone(), std::mem::take(&mut pending)));
            }
            rec = records.recv() => {
                let Some(rec) = rec else { return };
                pending.push(rec);
                batched += 1;
            }
        }
    }
}

#[peeps::instrument]
async fn produce(tx: mpsc::Sender<u64>) {
    for n in 0u64.. {
        tokio::time::sleep(Duration::from_millis(40)).await;
        if tx.send(n).await.is_err() {
            return;
        }
    }
}

async fn list(bucket: Arc<Mutex<Vec<u64>>>, listed: Arc<AtomicU64>) {
    loop {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let b = bucket.lock().await;
        std::hint::black_box(b.len());
        drop(b);
        listed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_select_pinned_upload_disabled_branch");
    let (tx, rx) = mpsc::channel_named("records", 16);
    let bucket = Arc::new(Mutex::new(Vec::new()).named("bucket"));
    let uploads = Arc::new(AtomicU64::new(0));
    let listed = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("batcher", batch_loop(rx, bucket.clone(), uploads.clone()));
    peeps::spawn_named("producer", produce(tx));
    peeps::spawn_named("lister-1", list(bucket.clone(), listed.clone()));
    tokio::spawn(list(bucket, listed.clone()));
    ready_when(move |g| {
        uploads.load(Ordering::Relaxed) >= 4
            && listed.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Mutex, "bucket")
    });
    examples::park().await
}
