//! Deadlock: the collector forgot to drop its own sender. It hands a
//! clone to an instrumented worker started in a `JoinSet`, which sends its
//! results and finishes, then receives until every sender is gone: the
//! last one is its own.
//!
//! `collector` (`peeps::spawn_named`, its body instrumented).
//!
//! Expected: one certain deadlock of `collector` with itself over channel
//! `results`.

use examples::{attr, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn work(results: mpsc::Sender<u64>) {
    for r in 0..3 {
        let _ = results.send(r).await;
    }
}

#[peeps::instrument]
async fn collect() {
    let (results, mut incoming) = mpsc::channel_named("results", 8);
    let mut workers = JoinSet::new();
    workers.spawn(work(results.clone()));
    let mut total = 0;
    while let Some(r) = incoming.recv().await {
        total += r;
    }
    println!("total {total} from {}", results.capacity());
    while workers.join_next().await.is_some() {}
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("joinset_worker_clone_original_kept");
    peeps::spawn_named("collector", collect());
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "results", "recv")
            && attr(g, NodeKind::Channel, "results", "senders") == Some(1)
    });
    park().await
}
