//! Healthy, under steady load: a thousand connection tasks, each holding
//! its own connection state's mutex across a (simulated) socket flush.
//! Plain `tokio::spawn`, no peeps annotation, no names; multi-thread.
//!
//! Each of 1000 connections is an `Arc<peeps::sync::Mutex<Conn>>`. Its
//! task fills the connection's buffer and flushes it holding the state
//! (a 20-29 ms sleep), releases it, then counts the flush under
//! `metrics` (a mutex). A reporter locks `metrics` every 100 ms and,
//! under it, locks a sample of 20 connection states to read their
//! counters. So the order is `metrics` then a connection, and a
//! connection task never holds its state while it waits for `metrics`.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Conn {
    buffered: usize,
    flushed: u64,
}

#[derive(Default)]
struct Metrics {
    flushes: u64,
    sampled: u64,
}

const CONNS: usize = 1000;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_many_conns_state_lock_across_flush_plain");
    let metrics = Arc::new(Mutex::new(Metrics::default()));
    let conns: Vec<Arc<Mutex<Conn>>> = (0..CONNS)
        .map(|_| Arc::new(Mutex::new(Conn::default())))
        .collect();
    let flushes = Arc::new(AtomicU64::new(0));
    for (i, conn) in conns.iter().enumerate() {
        let conn = conn.clone();
        let metrics = metrics.clone();
        let flushes = flushes.clone();
        tokio::spawn(async move {
            loop {
                {
                    let mut state = conn.lock().await;
                    state.buffered += 64;
                    // The flush: the state stays locked until the socket took it.
                    tokio::time::sleep(Duration::from_millis(20 + (i % 10) as u64)).await;
                    state.buffered = 0;
                    state.flushed += 1;
                }
                metrics.lock().await.flushes += 1;
                flushes.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    {
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let mut round = 0usize;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                round += 1;
                let mut m = metrics.lock().await;
                for k in 0..20 {
                    let conn = &conns[(round * 37 + k * 53) % CONNS];
                    m.sampled += conn.lock().await.flushed;
                }
            }
        });
    }
    ready_when(move |_| flushes.load(Ordering::Relaxed) >= 20_000);
    park().await
}
