//! Deadlock in truth, with unrelated background work alive: a client
//! (`peeps::spawn_named`, no other peeps annotation) locks `cache`, sends a
//! job carrying a `oneshot` reply sender on `jobs`, starts the worker on
//! first use (`peeps::spawn_named`, the receiver moved in at spawn), and
//! awaits the reply with the guard alive. The worker locks `cache` to
//! copy a snapshot at the top of its loop, before it reads the job: the
//! reply sender sits in an unread message. `main` also runs a plain
//! `tokio::spawn` heartbeat loop on a timer. Multi-thread runtime.
//!
//! What docs/ownership.md promises: a handle inside an unread message is
//! proof, but only whoever holds the carrying channel's receiver can read
//! it, and that receiver was moved into the worker at spawn (found in its
//! state), which the census (the heartbeat) makes no proof: no deadlock;
//! at a short threshold a long wait of the worker on `cache`, held by the
//! client.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
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

async fn client(cache: Cache) {
    let mut guard = cache.lock().await;
    let (jobs, rx) = mpsc::channel_named("jobs", 4);
    let (reply, value) = oneshot::channel_named("value");
    if jobs.send(Job { key: "hits", reply }).await.is_err() {
        return;
    }
    peeps::spawn_named("worker", worker(cache.clone(), rx));
    // The bug: `guard` is alive while the worker needs `cache` first.
    if let Ok(v) = value.await {
        guard.insert("hits", v);
    }
    drop(jobs);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("reply_in_unread_job_heartbeat");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let cache: Cache = Arc::new(Mutex::new(HashMap::new()).named("cache"));
    peeps::spawn_named("client", client(cache));
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "cache", "lock")
            && waited_on_for(g, NodeKind::Channel, "value", "recv")
    });
    park().await
}
