//! Healthy: `main` runs `std::thread::scope` inside `spawn_blocking`: one
//! scoped thread drives a ticker with `Handle::block_on` (sends on `ticks`
//! every 300 ms, `tokio::time::sleep`), another drives the consumer with
//! `Handle::block_on` (receives `ticks`). `main` awaits the blocking
//! task's `JoinHandle`. Between ticks the consumer thread waits on a peeps
//! receive, the ticker on its timer.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_scope_threads_block_on_ticker_and_consumer");
    let handle = tokio::runtime::Handle::current();
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "ticks", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "ticks", "recv")
    });
    let total = tokio::task::spawn_blocking(move || {
        let (tx, mut rx) = mpsc::channel_named::<u64>("ticks", 4);
        std::thread::scope(|s| {
            let h = &handle;
            s.spawn(move || {
                h.block_on(async move {
                    for i in 0u64.. {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        if tx.send(i).await.is_err() {
                            break;
                        }
                    }
                })
            });
            s.spawn(move || {
                h.block_on(async move {
                    let mut n = 0;
                    while let Some(v) = rx.recv().await {
                        n += v;
                    }
                    n
                })
            })
            .join()
            .unwrap()
        })
    })
    .await
    .unwrap();
    println!("{total}");
}
