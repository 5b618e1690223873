//! Healthy, under steady load: the worker pool of the tokio tutorial's
//! "share the receiver" answer. Four plain workers share the job queue's
//! `Receiver` as `Arc<Mutex<Receiver>>` and take a job with
//! `rx.lock().await.recv().await`, holding the queue lock across the
//! receive while the others wait for the lock. A job carries a `oneshot`
//! reply; the worker works 5-20 ms, locks a `Mutex` of results, and
//! answers. The plain dispatcher sends a batch of 12 jobs into the queue
//! (capacity 4, so it waits for room) and `join_all`s the 12 replies, then
//! pauses 400 ms. Between batches one worker waits in `recv` under the
//! lock, three wait for the lock, and the dispatcher sleeps. A plain
//! auditor locks the results every 30 ms. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use futures::future::join_all;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Job {
    n: u64,
    reply: oneshot::Sender<u64>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_worker_pool_shared_receiver_lock_held_across_recv_plain");
    let (tx, rx) = mpsc::channel::<Job>(4);
    let rx = Arc::new(Mutex::new(rx));
    let results = Arc::new(Mutex::new(Vec::<u64>::new()));
    let batches = Arc::new(AtomicU64::new(0));

    for w in 0..4u64 {
        let (rx, results) = (rx.clone(), results.clone());
        tokio::spawn(async move {
            loop {
                let job = rx.lock().await.recv().await;
                let Some(job) = job else { return };
                tokio::time::sleep(Duration::from_millis(5 + (job.n + w) % 4 * 5)).await;
                let mut r = results.lock().await;
                r.push(job.n);
                if r.len() > 500 {
                    r.clear();
                }
                drop(r);
                let _ = job.reply.send(job.n * 2);
            }
        });
    }

    let b = batches.clone();
    tokio::spawn(async move {
        let mut next = 0u64;
        loop {
            let mut answers = Vec::new();
            for _ in 0..12 {
                let (reply, answer) = oneshot::channel();
                next += 1;
                if tx.send(Job { n: next, reply }).await.is_err() {
                    return;
                }
                answers.push(answer);
            }
            let got = join_all(answers).await;
            assert!(got.iter().all(|a| a.is_ok()));
            b.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    });

    let r = results.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = r.lock().await.len();
        }
    });

    ready_when(move |_| batches.load(Ordering::Relaxed) >= 2);
    park().await
}
