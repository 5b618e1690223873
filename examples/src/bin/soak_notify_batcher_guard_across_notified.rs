//! Deadlock, under steady load (the twin of `soak_notify_batcher`): the
//! batcher takes the `pending` mutex and, while the batch is empty, awaits
//! `pushed` (a `Notify`) with the guard still alive — the producers
//! (plain `tokio::spawn`) lock `pending` to push before they notify. Once
//! the batcher drains `pending` and waits, every producer queues on
//! `pending`, held by the batcher, and nobody can notify. Beside it, the
//! reporter keeps locking `sink` every 300 ms, so the process keeps
//! running. Multi-thread runtime.
//!
//! Expected, once it hangs, in every dump: one `probable` deadlock (plain
//! tasks) of the batcher and the producers (`tokio task N`), resources
//! `pending` and `pushed` — as `guard_across_notified_tokio_spawn`, under
//! load.

use examples::{holders, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_notify_batcher_guard_across_notified");
    let pending = Arc::new(Mutex::new(Vec::<u64>::new()).named("pending"));
    let pushed = Arc::new(Notify::new().named("pushed"));
    let sink = Arc::new(Mutex::new(0usize).named("sink"));
    for p in 0..4u64 {
        let pending = pending.clone();
        let pushed = pushed.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                pending.lock().await.push(p * 1_000_000 + n);
                pushed.notify_one();
                tokio::time::sleep(Duration::from_millis(100 + 20 * p)).await;
            }
        });
    }
    // A producer has pushed (and so notifies right after, in the same
    // poll) before the batcher starts: a batcher that took `pending`
    // first would hang with nobody ever seen to notify `pushed`, a wait
    // peeps rightly cannot pin on anyone (a long wait, after 5 s).
    while !pending.try_lock().is_ok_and(|queue| !queue.is_empty()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let batch_sink = sink.clone();
    tokio::spawn(async move {
        loop {
            let mut queue = pending.lock().await;
            // The bug: the guard is alive across `notified()`.
            while queue.is_empty() {
                pushed.notified().await;
            }
            let batch = std::mem::take(&mut *queue);
            drop(queue);
            let mut out = batch_sink.lock().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            *out += batch.len();
        }
    });
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(300));
        loop {
            every.tick().await;
            let total = *sink.lock().await;
            println!("flushed {total} events");
        }
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Notify, "pushed", "notified")
            && waiters(g, NodeKind::Mutex, "pending") == 4
            && holders(g, NodeKind::Mutex, "pending").len() == 1
    });
    examples::park().await
}
