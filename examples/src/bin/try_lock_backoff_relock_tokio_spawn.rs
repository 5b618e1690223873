//! Healthy control: the classic back-off. A mover holds `inbox` and
//! tries `outbox` with `try_lock`; when that fails it lets `inbox` go and
//! takes both again the other way round, `outbox` first, as the flusher
//! does. No peeps annotation: plain `tokio::spawn` of `async move`
//! blocks, `#[tokio::main]`.
//!
//! The flusher locks `outbox`, writes it out (a timer), then locks
//! `inbox` to count what is pending. The first move finds `outbox` held
//! (the flusher is writing): it backs off and waits for `outbox`, then
//! `inbox`. A second move, later, gets `outbox` with `try_lock` while it
//! holds `inbox`, then locks `stats`. Then the flusher holds `outbox`
//! across an hour's write and a third move waits for it.
//!
//! Expected: no deadlock, no potential deadlock: `outbox` is only ever
//! waited for while nothing is held; the orders learned are `outbox`
//! then `inbox`, and either then `stats` (a `try_lock` orders nothing
//! before it, docs/lock-order.md).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, oneshot};
use std::sync::Arc;
use std::time::Duration;

struct Queues {
    inbox: Mutex<Vec<u64>>,
    outbox: Mutex<Vec<u64>>,
    stats: Mutex<u64>,
}

/// Moves what is in the inbox to the outbox.
async fn move_items(q: &Queues) {
    let mut inbox = q.inbox.lock().await;
    match q.outbox.try_lock() {
        Ok(mut outbox) => {
            outbox.append(&mut inbox);
            *q.stats.lock().await += 1;
        }
        Err(_) => {
            // Busy: back off, and take both in the flusher's order.
            drop(inbox);
            let mut outbox = q.outbox.lock().await;
            let mut inbox = q.inbox.lock().await;
            outbox.append(&mut inbox);
        }
    }
}

/// Writes the outbox out (taking `write`), then counts what is pending.
async fn flush(q: &Queues, write: Duration, started: oneshot::Sender<()>) {
    let mut outbox = q.outbox.lock().await;
    let _ = started.send(());
    tokio::time::sleep(write).await;
    outbox.clear();
    let pending = q.inbox.lock().await.len();
    println!("flushed; {pending} pending");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("try_lock_backoff_relock_tokio_spawn");
    let q = Arc::new(Queues {
        inbox: Mutex::new(vec![1, 2, 3]).named("inbox"),
        outbox: Mutex::new(Vec::new()).named("outbox"),
        stats: Mutex::new(0).named("stats"),
    });

    // A flush is writing when the first move comes: it backs off.
    let (started, writing) = oneshot::channel_named("flush-started");
    let flusher = tokio::spawn({
        let q = q.clone();
        async move { flush(&q, Duration::from_millis(100), started).await }
    });
    writing.await.expect("the flush started");
    tokio::spawn({
        let q = q.clone();
        async move { move_items(&q).await }
    })
    .await
    .expect("the first move");
    flusher.await.expect("the flush");

    // Nothing in the way: `try_lock` gets `outbox`.
    q.inbox.lock().await.push(4);
    tokio::spawn({
        let q = q.clone();
        async move { move_items(&q).await }
    })
    .await
    .expect("the second move");

    // A slow flush, and a move waiting for it.
    let (started, writing) = oneshot::channel_named("slow-flush-started");
    tokio::spawn({
        let q = q.clone();
        async move { flush(&q, Duration::from_secs(3600), started).await }
    });
    writing.await.expect("the slow flush started");
    tokio::spawn(async move { move_items(&q).await });
    ready_when(|g| waiters(g, NodeKind::Mutex, "outbox") == 1);
    park().await
}
