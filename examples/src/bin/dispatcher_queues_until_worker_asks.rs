//! Healthy twin of `dispatcher_pushes_into_busy_worker` (the fix direction
//! of chroma-core/chroma#5283): the dispatcher never pushes into a busy
//! worker. A `Task` with no worker waiting goes into the dispatcher's own
//! queue, and a worker's `TaskRequest` is answered from that queue; a
//! worker that asks has an empty channel, so the dispatcher's send never
//! waits. The `submitter` sends a task every 15 ms, two workers take 20-27
//! ms each: the queue stays short, and it runs forever.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::mpsc;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum ToDispatcher {
    Task(u64),
    TaskRequest(usize),
}

async fn dispatch(mut inbox: mpsc::Receiver<ToDispatcher>, workers: Vec<mpsc::Sender<u64>>) {
    let mut waiting: VecDeque<usize> = VecDeque::new();
    let mut pending: VecDeque<u64> = VecDeque::new();
    while let Some(msg) = inbox.recv().await {
        match msg {
            ToDispatcher::TaskRequest(w) => match pending.pop_front() {
                Some(task) => workers[w].send(task).await.expect("workers never stop"),
                None => waiting.push_back(w),
            },
            ToDispatcher::Task(task) => match waiting.pop_front() {
                Some(w) => workers[w].send(task).await.expect("workers never stop"),
                None => pending.push_back(task),
            },
        }
    }
}

async fn work(
    id: usize,
    mut tasks: mpsc::Receiver<u64>,
    dispatcher: mpsc::Sender<ToDispatcher>,
    done: Arc<AtomicU64>,
) {
    dispatcher
        .send(ToDispatcher::TaskRequest(id))
        .await
        .expect("the dispatcher never stops");
    while let Some(task) = tasks.recv().await {
        tokio::time::sleep(Duration::from_millis(20 + task % 7)).await;
        done.fetch_add(1, Ordering::Relaxed);
        dispatcher
            .send(ToDispatcher::TaskRequest(id))
            .await
            .expect("the dispatcher never stops");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("dispatcher_queues_until_worker_asks");
    let done = Arc::new(AtomicU64::new(0));
    let (to_dispatcher, inbox) = mpsc::channel_named("dispatcher-inbox", 4);
    let mut workers = Vec::new();
    for id in 0..2usize {
        let (tx, rx) = mpsc::channel_named(format!("worker-{}-tasks", id + 1), 1);
        workers.push(tx);
        peeps::spawn_named(
            format!("worker-{}", id + 1),
            work(id, rx, to_dispatcher.clone(), done.clone()),
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
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });
    let ready = done.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 20);
    park().await
}
