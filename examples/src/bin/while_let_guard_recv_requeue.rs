//! Deadlock: workers share a job queue's receiver behind a mutex and loop
//! on `while let Some(job) = rx.lock().await.recv().await`: the guard, a
//! temporary of the `while let` scrutinee, lives until the end of the loop
//! body (clippy's `significant_drop_in_scrutinee`). The body enqueues the
//! job's follow-ups into the same bounded queue; once it is full, the
//! worker waits for room only a receive could make, and the receiver is
//! behind the lock the worker holds.
//!
//! `crawl-jobs` holds 4 jobs; `main` fills it and keeps a sender. Three
//! workers share `Arc<Mutex<Receiver>>` (`job-queue`). The first to lock
//! it takes a job and sends its three follow-ups: the second send waits.
//! The two others wait for `job-queue`.
//!
//! Expected: one `certain` deadlock of the first worker with itself: it
//! waits to send on full `crawl-jobs`, whose receiver it holds (it is the
//! only task that ever received); the two other workers behind it, waiting
//! on mutex `job-queue`, held by it.

use examples::{park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;

struct Job {
    url: String,
    depth: u32,
}

impl Job {
    fn follow_ups(&self) -> Vec<Job> {
        if self.depth == 0 {
            return Vec::new();
        }
        (1..=3)
            .map(|n| Job {
                url: format!("{}/{n}", self.url),
                depth: self.depth - 1,
            })
            .collect()
    }
}

#[peeps::instrument]
async fn work(rx: Arc<Mutex<mpsc::Receiver<Job>>>, tx: mpsc::Sender<Job>) {
    while let Some(job) = rx.lock().await.recv().await {
        println!("crawled {}", job.url);
        for next in job.follow_ups() {
            if tx.send(next).await.is_err() {
                return;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("while_let_guard_recv_requeue");
    let (tx, rx) = mpsc::channel_named("crawl-jobs", 4);
    for site in ["a", "b", "c", "d"] {
        let job = Job {
            url: format!("https://{site}.example"),
            depth: 2,
        };
        let _ = tx.send(job).await;
    }
    let rx = Arc::new(Mutex::new(rx).named("job-queue"));
    for n in 1..=3 {
        peeps::spawn_named(format!("worker-{n}"), work(rx.clone(), tx.clone()));
    }
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "crawl-jobs", "send")
            && waiters(g, NodeKind::Mutex, "job-queue") == 2
    });
    park().await
}
