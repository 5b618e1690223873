//! Healthy: a `std::thread` builds its own current-thread runtime and
//! `block_on`s a loop that sleeps 300 ms and sends a metric on a peeps
//! channel into the main runtime's `collector` task (no task spawned on
//! the thread's runtime). `main` awaits the collector's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_own_runtime_block_on_sleep_send");
    let (tx, mut rx) = mpsc::channel_named::<u64>("metrics", 4);
    std::thread::Builder::new()
        .name("metrics-rt".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                for i in 0u64.. {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if tx.send(i).await.is_err() {
                        break;
                    }
                }
            });
        })
        .unwrap();
    let collector = peeps::spawn_named("collector", async move {
        let mut sum = 0;
        while let Some(m) = rx.recv().await {
            sum += m;
        }
        sum
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "metrics", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "metrics", "recv")
    });
    println!("{}", collector.await.unwrap());
}
