//! Healthy: `#[tokio::main]` runs its body in a `LocalSet`
//! (`run_until`); a plain `spawn_local` ticker keeps `!Send` state and
//! every 300 ms sends on a peeps channel to a `worker` peeps task; the
//! body awaits the worker's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::rc::Rc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_localset_ticker_feeds_worker");
    let (tx, mut rx) = mpsc::channel_named::<u64>("jobs", 8);
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            let seq = Rc::new(std::cell::Cell::new(0u64));
            tokio::task::spawn_local(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    seq.set(seq.get() + 1);
                    if tx.send(seq.get()).await.is_err() {
                        break;
                    }
                }
            });
            let worker = peeps::spawn_named("worker", async move {
                let mut n = 0;
                while let Some(j) = rx.recv().await {
                    n += j;
                }
                n
            });
            ready_when(|g| {
                examples::attr(g, NodeKind::Channel, "jobs", "received").is_some_and(|n| n >= 2)
                    && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
            });
            println!("{}", worker.await.unwrap());
        })
        .await;
}
