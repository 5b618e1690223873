//! Healthy twin of `dispatcher_worker_task_request_full_inboxes`
//! (chroma PR #5283, fixed): workers send their `TaskRequest`s on an
//! unbounded peeps channel ("task-requests"); the `dispatcher` peeps task
//! `select!`s over it and its bounded task queue ("dispatcher-queue",
//! capacity 4, fed by a `submitter` every 20 ms), keeps pending tasks and
//! idle workers in `VecDeque`s, and sends a task only to a worker that
//! asked (its bounded inbox of 1 is then empty). Each `worker-N` runs a
//! task for 60 ms. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::collections::VecDeque;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_dispatcher_task_requests_unbounded");
    let (queue_tx, mut queue_rx) = mpsc::channel_named::<u64>("dispatcher-queue", 4);
    let (req_tx, mut req_rx) = mpsc::unbounded_channel_named::<usize>("task-requests");
    let mut worker_txs = Vec::new();
    for w in 0..2usize {
        let (tx, mut rx) = mpsc::channel_named::<u64>(format!("worker-{w}-inbox"), 1);
        worker_txs.push(tx);
        let req_tx = req_tx.clone();
        peeps::spawn_named(format!("worker-{w}"), async move {
            loop {
                if req_tx.send(w).is_err() {
                    break;
                }
                let Some(_task) = rx.recv().await else { break };
                tokio::time::sleep(Duration::from_millis(60)).await;
            }
        });
    }
    drop(req_tx);
    peeps::spawn_named("dispatcher", async move {
        let mut pending = VecDeque::new();
        let mut idle = VecDeque::new();
        loop {
            tokio::select! {
                Some(t) = queue_rx.recv() => pending.push_back(t),
                Some(w) = req_rx.recv() => idle.push_back(w),
                else => break,
            }
            while !pending.is_empty() && !idle.is_empty() {
                let (t, w): (u64, usize) =
                    (pending.pop_front().unwrap(), idle.pop_front().unwrap());
                let _ = worker_txs[w].send(t).await;
            }
        }
    });
    let submitter = peeps::spawn_named("submitter", async move {
        let mut t = 0u64;
        loop {
            if queue_tx.send(t).await.is_err() {
                break;
            }
            t += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "dispatcher-queue", "received")
            .is_some_and(|n| n >= 10)
            && (waited_on_for(g, NodeKind::Channel, "worker-0-inbox", "recv")
                || waited_on_for(g, NodeKind::Channel, "dispatcher-queue", "recv"))
    });
    submitter.await.unwrap();
}
