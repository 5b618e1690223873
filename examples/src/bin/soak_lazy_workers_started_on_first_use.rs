//! Healthy, idle after a burst: two lazily started workers, each behind a
//! `Mutex<Option<mpsc::Sender>>` slot of a service: the first caller
//! makes the inbox, spawns the worker on its receiver and keeps the sender
//! in the slot. Every task is `peeps::spawn_named`.
//!
//! `thumbnailer-slot` starts a `thumbnailer` that ends after 200 ms
//! without work; a caller that finds its sender closed starts a new one
//! (a send or a reply that fails is retried). `indexer-slot` starts an
//! `indexer` that runs for good. Requests make a thumbnail, then index
//! it, each awaited on a oneshot reply; after 12 requests each they sleep
//! 10 minutes: the indexer waits on its inbox meanwhile, the last
//! thumbnailer has ended.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Job {
    input: u64,
    reply: oneshot::Sender<u64>,
}

struct Service {
    thumbnailer: Mutex<Option<mpsc::Sender<Job>>>,
    indexer: Mutex<Option<mpsc::Sender<Job>>>,
    thumbnailers_started: AtomicU64,
}

async fn thumbnailer(mut jobs: mpsc::Receiver<Job>) {
    while let Ok(Some(Job { input, reply })) =
        tokio::time::timeout(Duration::from_millis(200), jobs.recv()).await
    {
        tokio::time::sleep(Duration::from_millis(3)).await;
        let _ = reply.send(input * 2);
    }
}

async fn indexer(mut jobs: mpsc::Receiver<Job>) {
    let mut index = Vec::new();
    while let Some(Job { input, reply }) = jobs.recv().await {
        index.push(input);
        let _ = reply.send(index.len() as u64);
    }
}

impl Service {
    async fn thumbnailer(&self) -> mpsc::Sender<Job> {
        let mut slot = self.thumbnailer.lock().await;
        if let Some(tx) = slot.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel_named("thumbnail-jobs", 8);
        peeps::spawn_named("thumbnailer", thumbnailer(rx));
        self.thumbnailers_started.fetch_add(1, Ordering::Relaxed);
        *slot = Some(tx.clone());
        tx
    }

    async fn indexer(&self) -> mpsc::Sender<Job> {
        let mut slot = self.indexer.lock().await;
        if let Some(tx) = slot.as_ref() {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel_named("index-jobs", 8);
        peeps::spawn_named("indexer", indexer(rx));
        *slot = Some(tx.clone());
        tx
    }

    async fn thumbnail(&self, input: u64) -> Option<u64> {
        for _ in 0..3 {
            let (reply, answer) = oneshot::channel_named("thumbnail-reply");
            if self
                .thumbnailer()
                .await
                .send(Job { input, reply })
                .await
                .is_ok()
                && let Ok(out) = answer.await
            {
                return Some(out);
            }
        }
        None
    }

    async fn index(&self, input: u64) -> Option<u64> {
        let (reply, answer) = oneshot::channel_named("index-reply");
        self.indexer().await.send(Job { input, reply }).await.ok()?;
        answer.await.ok()
    }
}

async fn requests(id: u64, service: Arc<Service>, done: Arc<AtomicU64>) {
    loop {
        for n in 0..12 {
            if let Some(thumb) = service.thumbnail(id * 100 + n).await {
                std::hint::black_box(service.index(thumb).await);
            }
            done.fetch_add(1, Ordering::Relaxed);
            // A pause past the thumbnailer's idle time now and then.
            let pause = if n % 5 == 4 { 260 } else { 20 };
            tokio::time::sleep(Duration::from_millis(pause)).await;
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_lazy_workers_started_on_first_use");
    let service = Arc::new(Service {
        thumbnailer: Mutex::new(None).named("thumbnailer-slot"),
        indexer: Mutex::new(None).named("indexer-slot"),
        thumbnailers_started: AtomicU64::new(0),
    });
    let done = Arc::new(AtomicU64::new(0));
    for id in 0..3 {
        peeps::spawn_named(
            format!("requests-{id}"),
            requests(id, service.clone(), done.clone()),
        );
    }
    ready_when(move |_| {
        done.load(Ordering::Relaxed) >= 36
            && service.thumbnailers_started.load(Ordering::Relaxed) >= 2
    });
    park().await
}
