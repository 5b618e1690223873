//! Deadlock, under steady load (a twin of the subscription registries):
//! the publisher sends to every subscriber while holding the registry's
//! async lock, and a subscriber that leaves locks the registry to remove
//! itself before it drops its receiver. Three subscribers
//! (`peeps::spawn_named("subscriber-N")`) each make an `events` channel
//! (capacity 1) and push its sender into `subscribers` (a
//! `peeps::sync::Mutex<Vec<(u64, Sender)>>`). `publisher` locks
//! `subscribers` every 100 ms and `send().await`s an event to each.
//! `subscriber-1` is slow (300 ms an event) and, after its third, locks
//! `subscribers` to unsubscribe: by then its channel is full and the
//! publisher waits to send into it, guard alive. `subscriber-2` and
//! `subscriber-3` wait for events that no longer come. `metrics` keeps
//! ticking; every task is peeps': the census counts none unseen.
//! Multi-thread runtime.
//!
//! Expected, once it hangs, in every dump: one `certain` deadlock of
//! `publisher` and `subscriber-1`: `publisher` waits to send on `events`,
//! whose receiver `subscriber-1` holds; `subscriber-1` waits to lock
//! `subscribers`, held by `publisher`. `subscriber-2` and `subscriber-3`
//! are stuck behind it: their senders sit in the locked registry, used by
//! the publisher from an `Arc` (shared) and always under `subscribers`,
//! whose guard the publisher holds (a guess each); nothing stuck forever.

use examples::{ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

type Registry = Arc<Mutex<Vec<(u64, mpsc::Sender<u64>)>>>;

#[peeps::instrument]
async fn publish(registry: Registry) {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    for n in 0u64.. {
        tick.tick().await;
        let list = registry.lock().await;
        for (_, events) in list.iter() {
            // The bug: waiting for a slow subscriber with the registry locked.
            let _ = events.send(n).await;
        }
    }
}

#[peeps::instrument]
async fn subscribe(
    registry: Registry,
    me: u64,
    leaves_after: Option<u64>,
    leaving: Arc<AtomicBool>,
) {
    let (events, mut rx) = mpsc::channel_named("events", 1);
    registry.lock().await.push((me, events));
    let mut seen = 0u64;
    while let Some(n) = rx.recv().await {
        std::hint::black_box(n);
        seen += 1;
        if leaves_after.is_some() {
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        if leaves_after == Some(seen) {
            leaving.store(true, Ordering::Relaxed);
            registry.lock().await.retain(|(id, _)| *id != me);
            return;
        }
    }
}

#[peeps::instrument]
async fn tick_metrics() {
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_registry_publish_under_lock_unsubscribe");
    let registry: Registry = Arc::new(Mutex::new(Vec::new()).named("subscribers"));
    let leaving = Arc::new(AtomicBool::new(false));
    let left = leaving.clone();
    peeps::spawn_named(
        "subscriber-1",
        subscribe(registry.clone(), 1, Some(3), leaving.clone()),
    );
    peeps::spawn_named(
        "subscriber-2",
        subscribe(registry.clone(), 2, None, leaving.clone()),
    );
    peeps::spawn_named(
        "subscriber-3",
        subscribe(registry.clone(), 3, None, leaving),
    );
    peeps::spawn_named("metrics", tick_metrics());
    peeps::spawn_named("publisher", publish(registry));
    // Three channels are named `events`: any of them counts.
    ready_when(move |g| {
        left.load(Ordering::Relaxed)
            && waited_on(g, NodeKind::Mutex, "subscribers")
            && waited_on_for(g, NodeKind::Channel, "events", "send")
    });
    examples::park().await
}
