//! Healthy, under steady load: one maintenance task takes two locks in
//! both orders at different times, and nobody else ever holds both. A
//! `maintenance` task (`peeps::spawn_named`) alternates a compaction
//! (`index`, then `wal`, held 150 ms) and a checkpoint (`wal`, then
//! `index`, held 150 ms), every 100 ms. Four readers (two
//! `peeps::spawn_named`, two plain `tokio::spawn`) lock `index` alone;
//! two appenders lock `wal` alone. Multi-thread runtime.
//!
//! The only task that ever holds both locks is `maintenance`, one order
//! after the other: it cannot deadlock with itself, and the others take
//! one lock at a time. Expected, in every dump: no deadlock, nothing
//! stuck forever; waits on `index` and `wal` may be long. The inversion
//! is a potential deadlock as lockdep reads one (the same two paths run
//! by two tasks at once would deadlock), said as one task's two paths,
//! taken one after another.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn maintain(index: Arc<Mutex<Vec<u64>>>, wal: Arc<Mutex<Vec<u64>>>, rounds: Arc<AtomicU64>) {
    for n in 0u64.. {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if n.is_multiple_of(2) {
            // Compaction: fold the index, then trim the log it covers.
            let mut idx = index.lock().await;
            let mut log = wal.lock().await;
            tokio::time::sleep(Duration::from_millis(150)).await;
            idx.truncate(64);
            log.clear();
        } else {
            // Checkpoint: freeze the log, then record it in the index.
            let log = wal.lock().await;
            let mut idx = index.lock().await;
            tokio::time::sleep(Duration::from_millis(150)).await;
            idx.push(log.len() as u64);
        }
        rounds.fetch_add(1, Ordering::Relaxed);
    }
}

async fn read(index: Arc<Mutex<Vec<u64>>>, reads: Arc<AtomicU64>) {
    loop {
        {
            let idx = index.lock().await;
            std::hint::black_box(idx.len());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        reads.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
}

#[peeps::instrument]
async fn append(wal: Arc<Mutex<Vec<u64>>>, who: u64) {
    for n in 0u64.. {
        wal.lock().await.push(who * 1_000_000 + n);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_one_task_both_orders");
    let index = Arc::new(Mutex::new(Vec::new()).named("index"));
    let wal = Arc::new(Mutex::new(Vec::new()).named("wal"));
    let rounds = Arc::new(AtomicU64::new(0));
    let reads = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "maintenance",
        maintain(index.clone(), wal.clone(), rounds.clone()),
    );
    for who in 1..=2 {
        peeps::spawn_named(format!("reader-{who}"), read(index.clone(), reads.clone()));
        tokio::spawn(read(index.clone(), reads.clone()));
        peeps::spawn_named(format!("appender-{who}"), append(wal.clone(), who));
    }
    ready_when(move |g| {
        rounds.load(Ordering::Relaxed) >= 4
            && reads.load(Ordering::Relaxed) >= 10
            && waited_on(g, NodeKind::Mutex, "index")
    });
    examples::park().await
}
