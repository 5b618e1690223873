//! Deadlock from a bug report: chroma-core/chroma#5283 (its fix was
//! reverted in #5286 for a flaky landing; the cycle it describes is the
//! one reproduced here). A dispatcher and its workers talk over bounded
//! channels both ways:
//!
//! - a worker, after each task, sends a `TaskRequest` into the
//!   dispatcher's inbox (`dispatcher-inbox`, 4 slots), which blocks when
//!   that inbox is full;
//! - the dispatcher, on a `Task` with no worker waiting, pushes it into a
//!   worker's own channel (`worker-N-tasks`, 1 slot) anyway, which blocks
//!   when that channel is full.
//!
//! A `submitter` keeps the dispatcher's inbox full of tasks. The
//! dispatcher blocks pushing into `worker-N-tasks`, whose worker blocks
//! sending its `TaskRequest` into the full `dispatcher-inbox`, whose only
//! reader is the dispatcher. All tasks are `peeps::spawn_named`, the
//! channels `peeps::sync::mpsc` channels made in `main` and moved in.
//!
//! Expected: one `certain` deadlock of `dispatcher` (sending into
//! `worker-N-tasks`, its receiver held by `worker-N`) and that `worker-N`
//! (sending into `dispatcher-inbox`, its receiver held by `dispatcher`);
//! `submitter` and the other worker behind it.

use examples::{park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::collections::VecDeque;
use std::time::Duration;

enum ToDispatcher {
    Task(u64),
    TaskRequest(usize),
}

async fn dispatch(mut inbox: mpsc::Receiver<ToDispatcher>, workers: Vec<mpsc::Sender<u64>>) {
    let mut waiting: VecDeque<usize> = VecDeque::new();
    let mut next = 0;
    while let Some(msg) = inbox.recv().await {
        match msg {
            ToDispatcher::TaskRequest(w) => waiting.push_back(w),
            ToDispatcher::Task(task) => {
                // No worker waiting: hand it to the next one all the same.
                let w = waiting.pop_front().unwrap_or_else(|| {
                    next = (next + 1) % workers.len();
                    next
                });
                workers[w].send(task).await.expect("workers never stop");
            }
        }
    }
}

async fn work(id: usize, mut tasks: mpsc::Receiver<u64>, dispatcher: mpsc::Sender<ToDispatcher>) {
    dispatcher
        .send(ToDispatcher::TaskRequest(id))
        .await
        .expect("the dispatcher never stops");
    while let Some(task) = tasks.recv().await {
        tokio::time::sleep(Duration::from_millis(20 + task % 7)).await;
        dispatcher
            .send(ToDispatcher::TaskRequest(id))
            .await
            .expect("the dispatcher never stops");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("dispatcher_pushes_into_busy_worker");
    let (to_dispatcher, inbox) = mpsc::channel_named("dispatcher-inbox", 4);
    let mut workers = Vec::new();
    for id in 0..2usize {
        let (tx, rx) = mpsc::channel_named(format!("worker-{}-tasks", id + 1), 1);
        workers.push(tx);
        peeps::spawn_named(
            format!("worker-{}", id + 1),
            work(id, rx, to_dispatcher.clone()),
        );
    }
    peeps::spawn_named("dispatcher", dispatch(inbox, workers));
    let submit = to_dispatcher;
    peeps::spawn_named("submitter", async move {
        for n in 0u64.. {
            submit
                .send(ToDispatcher::Task(n))
                .await
                .expect("the dispatcher never stops");
        }
    });
    ready_when(|g| {
        waiters(g, NodeKind::Channel, "dispatcher-inbox") == 3
            && (waited_on_for(g, NodeKind::Channel, "worker-1-tasks", "send")
                || waited_on_for(g, NodeKind::Channel, "worker-2-tasks", "send"))
    });
    park().await
}
