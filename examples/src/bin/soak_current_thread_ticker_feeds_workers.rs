//! Healthy: `soak_interval_ticker_feeds_workers` on a
//! current-thread runtime: an interval ticker feeds two workers every
//! 200 ms; `main` awaits the workers' `JoinHandle`s.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_current_thread_ticker_feeds_workers");
    let (a_tx, mut a_rx) = mpsc::channel_named::<u64>("jobs-a", 8);
    let (b_tx, mut b_rx) = mpsc::channel_named::<u64>("jobs-b", 8);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        let mut n = 0u64;
        loop {
            tick.tick().await;
            n += 1;
            let tx = if n.is_multiple_of(2) { &a_tx } else { &b_tx };
            if tx.send(n).await.is_err() {
                break;
            }
        }
    });
    let a = tokio::spawn(async move {
        let mut sum = 0;
        while let Some(n) = a_rx.recv().await {
            sum += n;
        }
        sum
    });
    let b = peeps::spawn_named("worker-b", async move {
        let mut sum = 0;
        while let Some(n) = b_rx.recv().await {
            sum += n;
        }
        sum
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "jobs-a", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "jobs-a", "recv")
    });
    let sa = a.await.unwrap();
    let sb = b.await.unwrap();
    println!("{sa} {sb}");
}
