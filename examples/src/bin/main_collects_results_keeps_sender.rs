//! HANG: `main` fans 4 jobs out to `worker` peeps tasks, each with a
//! clone of the `results` sender, then collects with `while let Some(..)
//! = rx.recv().await` but forgot to drop its own `results` sender. The
//! workers finish; `main` waits forever.
//!
//! Expected: a deadlock (main waits on a channel whose sender it holds)
//! or stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("main_collects_results_keeps_sender");
    let (tx, mut rx) = mpsc::channel_named::<u64>("results", 8);
    for w in 0..4u64 {
        let tx = tx.clone();
        peeps::spawn_named(format!("worker-{w}"), async move {
            let _ = tx.send(w * w).await;
        });
    }
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "results", "received").is_some_and(|n| n >= 4)
            && waited_on_for(g, NodeKind::Channel, "results", "recv")
    });
    let mut sum = 0;
    while let Some(v) = rx.recv().await {
        sum += v;
    }
    println!("{sum}");
}
