//! Healthy twin of `coordinator_kept_sender_metrics`: the coordinator
//! (`peeps::spawn_named`) drops its own sender of `results` after handing
//! clones to its plain `tokio::spawn` workers, so the sum loop ends when
//! the last worker is done, and the coordinator returns. The plain
//! `tokio::spawn` metrics loop on a timer keeps running.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock,
//! and no long wait.

use examples::{park, ready_when};
use peeps::sync::mpsc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

async fn coordinate(files: Vec<&'static str>, done: Arc<AtomicBool>) {
    let (tx, mut rx) = mpsc::channel_named("results", 8);
    for file in files {
        let tx = tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(file.len()).await;
        });
    }
    drop(tx);
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    println!("indexed {total} bytes");
    done.store(true, Ordering::SeqCst);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("coordinator_dropped_sender_metrics");
    tokio::spawn(async {
        let mut every = tokio::time::interval(Duration::from_millis(50));
        let mut ticks = 0u64;
        loop {
            every.tick().await;
            ticks += 1;
            if ticks.is_multiple_of(100) {
                println!("metrics: {ticks} ticks");
            }
        }
    });
    let done = Arc::new(AtomicBool::new(false));
    peeps::spawn_named(
        "coordinator",
        coordinate(vec!["a.txt", "bb.txt", "ccc.txt"], done.clone()),
    );
    ready_when(move |_| done.load(Ordering::SeqCst));
    park().await
}
