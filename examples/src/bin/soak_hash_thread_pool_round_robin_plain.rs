//! Healthy, under light steady load: a small pool of `std::thread`
//! hashers behind an async front end, as services offload CPU work
//! without `spawn_blocking`. Request handlers are `#[peeps::instrument]`
//! fns under plain `tokio::spawn`.
//!
//! `HashPool` (in an `Arc`) keeps one `hash-jobs` sender (capacity 4) per
//! thread in a `Vec` and an `AtomicUsize` for round robin. Each
//! `hasher-N` thread `blocking_recv`s a job, hashes it and answers on
//! the job's `oneshot` reply; every 16 jobs it `blocking_send`s its count
//! into `hash-stats` (capacity 2), read by a `stats` task
//! (`peeps::spawn_named`). Handlers hash 12 payloads in a burst, then a
//! plain ticker hashes one every 150 ms. `main` awaits the ticker.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock (the threads park in `blocking_recv` on queues
//! whose senders are in the pool, used by each handler).

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

const THREADS: usize = 3;

struct HashJob {
    payload: Vec<u8>,
    reply: oneshot::Sender<u64>,
}

struct HashPool {
    queues: Vec<mpsc::Sender<HashJob>>,
    next: AtomicUsize,
}

impl HashPool {
    fn start(stats: mpsc::Sender<(usize, u64)>) -> Arc<Self> {
        let mut queues = Vec::new();
        for i in 0..THREADS {
            let (tx, mut rx) = mpsc::channel_named("hash-jobs", 4);
            let stats = stats.clone();
            std::thread::Builder::new()
                .name(format!("hasher-{i}"))
                .spawn(move || {
                    let mut done = 0u64;
                    while let Some(job) = rx.blocking_recv() {
                        let job: HashJob = job;
                        let mut h = DefaultHasher::new();
                        for _ in 0..64 {
                            job.payload.hash(&mut h);
                        }
                        let _ = job.reply.send(h.finish());
                        done += 1;
                        if done.is_multiple_of(16) && stats.blocking_send((i, done)).is_err() {
                            return;
                        }
                    }
                })
                .expect("spawn a hasher");
            queues.push(tx);
        }
        Arc::new(HashPool {
            queues,
            next: AtomicUsize::new(0),
        })
    }

    async fn hash(&self, payload: Vec<u8>) -> Option<u64> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.queues.len();
        let (reply, answer) = oneshot::channel_named("hash-reply");
        self.queues[i].send(HashJob { payload, reply }).await.ok()?;
        answer.await.ok()
    }
}

#[peeps::instrument]
async fn handle_upload(pool: Arc<HashPool>, id: u64, hashed: Arc<AtomicU64>) {
    let payload = format!("upload-{id}").repeat(32).into_bytes();
    if pool.hash(payload).await.is_some() {
        hashed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_hash_thread_pool_round_robin_plain");
    let (stats_tx, mut stats_rx) = mpsc::channel_named("hash-stats", 2);
    peeps::spawn_named("stats", async move {
        while let Some((thread, done)) = stats_rx.recv().await {
            println!("hasher-{thread}: {done} jobs");
        }
    });
    let pool = HashPool::start(stats_tx);
    let hashed = Arc::new(AtomicU64::new(0));
    let mut burst = Vec::new();
    for id in 0..12 {
        burst.push(tokio::spawn(handle_upload(
            pool.clone(),
            id,
            hashed.clone(),
        )));
    }
    for handler in burst {
        let _ = handler.await;
    }
    let ticker_pool = pool.clone();
    let ticker_hashed = hashed.clone();
    let ticker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        for id in 100.. {
            tick.tick().await;
            tokio::spawn(handle_upload(
                ticker_pool.clone(),
                id,
                ticker_hashed.clone(),
            ));
        }
    });
    drop(pool);
    ready_when(move |g| {
        hashed.load(Ordering::Relaxed) >= 24 && waiters(g, NodeKind::Channel, "hash-jobs") >= 2
    });
    let _ = ticker.await;
}
