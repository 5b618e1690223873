//! Healthy: a second (current-thread) runtime on a `std::thread` runs a
//! `poller` peeps task that sleeps 300 ms and sends a sample into the main
//! runtime's `aggregator` task, forever; the thread's `block_on` awaits the
//! poller. `main` awaits the aggregator's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_second_runtime_thread_sends");
    let (tx, mut rx) = mpsc::channel_named::<u64>("samples", 8);
    std::thread::Builder::new()
        .name("poller-rt".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let poller = peeps::spawn_named("poller", async move {
                    for i in 0u64.. {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        if tx.send(i).await.is_err() {
                            break;
                        }
                    }
                });
                poller.await.unwrap();
            });
        })
        .unwrap();
    let aggregator = peeps::spawn_named("aggregator", async move {
        let mut sum = 0;
        while let Some(s) = rx.recv().await {
            sum += s;
        }
        sum
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "samples", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "samples", "recv")
    });
    println!("{}", aggregator.await.unwrap());
}
