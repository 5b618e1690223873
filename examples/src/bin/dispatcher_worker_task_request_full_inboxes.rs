//! HANG (chroma PR #5283, "Resolve deadlock in system crate": a
//! dispatcher/worker bounded-buffer circular wait): a `dispatcher` peeps
//! task reads one bounded inbox ("dispatcher-queue", capacity 4) that
//! carries both new tasks (from a `submitter`) and `TaskRequest`s (from
//! workers that finished one). For each task it picks a worker round-robin
//! and `send().await`s into that worker's bounded inbox (capacity 1). Each
//! `worker-N` runs a task (a 5 ms sleep) and then sends `TaskRequest` to
//! the dispatcher before it reads its next task. The submitter keeps the
//! dispatcher queue full: the dispatcher ends up blocked on a full worker
//! inbox while that worker is blocked on the full dispatcher queue.
//!
//! Expected: a deadlock: `dispatcher` and (at least) one worker over the
//! two full channels; the submitter, the other worker and `main` behind.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

enum DispatcherMsg {
    Task(u64),
    TaskRequest(usize),
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("dispatcher_worker_task_request_full_inboxes");
    let (queue_tx, mut queue_rx) = mpsc::channel_named::<DispatcherMsg>("dispatcher-queue", 4);
    let mut worker_txs = Vec::new();
    for w in 0..2usize {
        let (tx, mut rx) = mpsc::channel_named::<u64>(format!("worker-{w}-inbox"), 1);
        worker_txs.push(tx);
        let queue_tx = queue_tx.clone();
        peeps::spawn_named(format!("worker-{w}"), async move {
            while let Some(_task) = rx.recv().await {
                tokio::time::sleep(Duration::from_millis(5)).await;
                if queue_tx.send(DispatcherMsg::TaskRequest(w)).await.is_err() {
                    break;
                }
            }
        });
    }
    peeps::spawn_named("dispatcher", async move {
        let mut next = 0;
        let mut idle_requests = 0u64;
        while let Some(msg) = queue_rx.recv().await {
            match msg {
                DispatcherMsg::Task(t) => {
                    let w = next % worker_txs.len();
                    next += 1;
                    let _ = worker_txs[w].send(t).await;
                }
                DispatcherMsg::TaskRequest(worker) => {
                    std::hint::black_box(worker);
                    idle_requests += 1;
                }
            }
        }
        idle_requests
    });
    let submitter = peeps::spawn_named("submitter", async move {
        for t in 0..10_000u64 {
            if queue_tx.send(DispatcherMsg::Task(t)).await.is_err() {
                break;
            }
        }
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "worker-0-inbox", "send")
            || waited_on_for(g, NodeKind::Channel, "worker-1-inbox", "send")
    });
    submitter.await.unwrap();
}
