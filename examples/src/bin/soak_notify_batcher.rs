//! Healthy, under steady load: four producers (plain `tokio::spawn`) push
//! events into a `pending` mutex (`Vec`) and `notify_one` a `Notify`
//! (`pushed`); a batcher waits in `select!` on `pushed` or a 100 ms
//! interval, takes the batch out under `pending` and lets it go, then
//! flushes it under a `sink` mutex held across a slow write (1.3 s). A
//! reporter locks `sink` every 300 ms to read the count. `pending` and
//! `sink` are never held together. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; the reporter's wait on `sink` behind the slow
//! flush is an honest long wait.

use examples::ready_when;
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_notify_batcher");
    let pending = Arc::new(Mutex::new(Vec::<u64>::new()).named("pending"));
    let pushed = Arc::new(Notify::new().named("pushed"));
    let sink = Arc::new(Mutex::new(0usize).named("sink"));
    let flushed = Arc::new(AtomicU64::new(0));
    for p in 0..4u64 {
        let pending = pending.clone();
        let pushed = pushed.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                pending.lock().await.push(p * 1_000_000 + n);
                pushed.notify_one();
                tokio::time::sleep(Duration::from_millis(3 + p)).await;
            }
        });
    }
    let batch_sink = sink.clone();
    let batch_flushed = flushed.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                _ = pushed.notified() => {}
                _ = tick.tick() => {}
            }
            let batch = std::mem::take(&mut *pending.lock().await);
            if batch.is_empty() {
                continue;
            }
            let mut out = batch_sink.lock().await;
            tokio::time::sleep(Duration::from_millis(1300)).await;
            *out += batch.len();
            batch_flushed.fetch_add(1, Ordering::Relaxed);
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
    let seen = flushed.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 2);
    examples::park().await
}
