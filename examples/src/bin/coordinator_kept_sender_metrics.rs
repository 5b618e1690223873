//! Deadlock in truth, with unrelated background work alive: a coordinator
//! (`peeps::spawn_named`, no other peeps annotation) makes a `results`
//! channel, hands a clone of the sender to one plain `tokio::spawn` worker
//! per file, and sums `while let Some(n) = rx.recv().await` — but it never
//! drops its own sender, so the loop never ends (the classic "my mpsc
//! receiver hangs after all workers finished" report). `main` also runs a
//! plain `tokio::spawn` metrics loop on a timer, which never touches
//! `results`. Multi-thread runtime.
//!
//! What docs/ownership.md promises: the workers are gone, but the metrics
//! loop is a task peeps cannot see into, so the census makes the sender
//! found in the coordinator's state no proof: no deadlock, and a long wait
//! (past the threshold) on `results` that says its sender was last seen
//! with task "coordinator" and may have been moved into such a task.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

async fn coordinate(files: Vec<&'static str>) {
    let (tx, mut rx) = mpsc::channel_named("results", 8);
    for file in files {
        let tx = tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(file.len()).await;
        });
    }
    // The bug: `tx` is still alive here.
    let mut total = 0;
    while let Some(n) = rx.recv().await {
        total += n;
    }
    println!("indexed {total} bytes");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("coordinator_kept_sender_metrics");
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
    peeps::spawn_named(
        "coordinator",
        coordinate(vec!["a.txt", "bb.txt", "ccc.txt"]),
    );
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "results", "recv")
            && examples::attr(g, NodeKind::Channel, "results", "received") == Some(3)
            && examples::attr(g, NodeKind::Channel, "results", "senders") == Some(1)
    });
    park().await
}
