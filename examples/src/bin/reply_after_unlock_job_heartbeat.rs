//! Healthy twin of `reply_in_unread_job_heartbeat`: the client
//! (`peeps::spawn_named`) sends its job (a `oneshot` reply sender inside)
//! on `jobs` without holding `cache`, starts the worker on first use
//! (`peeps::spawn_named`), awaits the reply, and only then locks `cache`
//! to store it; one job every 20 ms. A plain heartbeat runs on a timer.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Cache = Arc<Mutex<HashMap<&'static str, u64>>>;

struct Job {
    key: &'static str,
    reply: oneshot::Sender<u64>,
}

async fn worker(cache: Cache, mut jobs: mpsc::Receiver<Job>) {
    loop {
        let snapshot = cache.lock().await.clone();
        let Some(job) = jobs.recv().await else {
            return;
        };
        let _ = job
            .reply
            .send(snapshot.get(job.key).copied().unwrap_or(0) + 1);
    }
}

async fn client(cache: Cache, done: Arc<AtomicU64>) {
    let (jobs, rx) = mpsc::channel_named("jobs", 4);
    let mut rx = Some(rx);
    loop {
        let (reply, value) = oneshot::channel_named("value");
        if jobs.send(Job { key: "hits", reply }).await.is_err() {
            return;
        }
        if let Some(rx) = rx.take() {
            peeps::spawn_named("worker", worker(cache.clone(), rx));
        }
        let Ok(v) = value.await else {
            return;
        };
        cache.lock().await.insert("hits", v);
        done.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reply_after_unlock_job_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let cache: Cache = Arc::new(Mutex::new(HashMap::new()).named("cache"));
    let done = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("client", client(cache, done.clone()));
    ready_when(move |_| done.load(Ordering::SeqCst) >= 5);
    park().await
}
