//! Healthy, under steady load: a group-commit log. Producers push records
//! into a shared `buffer` (`peeps::sync::Mutex<Vec>`) and, once it holds
//! four or more, `notify_one` the `flush-now` Notify; each then waits
//! for the next flush with `flushed.notified()` (made and enabled before
//! the push, so no flush is missed). The `flusher` (`peeps::spawn_named`)
//! waits for `flush-now` with a 200 ms timeout (`tokio::time::timeout`),
//! takes the buffer, writes it under `disk` for 250 ms and
//! `notify_waiters()` on `flushed`. Three producers are
//! `peeps::spawn_named`, three plain `tokio::spawn`. Multi-thread runtime.
//!
//! The flusher waits on what producers notify and the producers on what
//! the flusher notifies; the timeout keeps the flusher going when fewer
//! than four records wait. Expected, in every dump: no deadlock,
//! nothing stuck forever, no potential deadlock (a wait for a
//! notification is no stall).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Log {
    buffer: Mutex<Vec<u64>>,
    disk: Mutex<u64>,
    flush_now: Notify,
    flushed: Notify,
}

async fn produce(log: Arc<Log>, who: u64, acked: Arc<AtomicU64>) {
    for n in 0u64.. {
        let mut durable = pin!(log.flushed.notified());
        durable.as_mut().enable();
        let len = {
            let mut b = log.buffer.lock().await;
            b.push(who * 1_000_000 + n);
            b.len()
        };
        if len >= 4 {
            log.flush_now.notify_one();
        }
        durable.await;
        acked.fetch_add(1, Ordering::Relaxed);
    }
}

#[peeps::instrument]
async fn flush(log: Arc<Log>, flushes: Arc<AtomicU64>) {
    loop {
        let _ = tokio::time::timeout(Duration::from_millis(200), log.flush_now.notified()).await;
        let batch = std::mem::take(&mut *log.buffer.lock().await);
        {
            let mut disk = log.disk.lock().await;
            tokio::time::sleep(Duration::from_millis(250)).await;
            *disk += batch.len() as u64;
        }
        log.flushed.notify_waiters();
        flushes.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_notify_flusher_durable_ack");
    let log = Arc::new(Log {
        buffer: Mutex::new(Vec::new()).named("buffer"),
        disk: Mutex::new(0).named("disk"),
        flush_now: Notify::new().named("flush-now"),
        flushed: Notify::new().named("flushed"),
    });
    let acked = Arc::new(AtomicU64::new(0));
    let flushes = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("flusher", flush(log.clone(), flushes.clone()));
    for who in 1..=3 {
        peeps::spawn_named(
            format!("producer-{who}"),
            produce(log.clone(), who, acked.clone()),
        );
        tokio::spawn(produce(log.clone(), who + 3, acked.clone()));
    }
    ready_when(move |g| {
        acked.load(Ordering::Relaxed) >= 12
            && flushes.load(Ordering::Relaxed) >= 3
            && waited_on(g, NodeKind::Notify, "flushed")
    });
    examples::park().await
}
