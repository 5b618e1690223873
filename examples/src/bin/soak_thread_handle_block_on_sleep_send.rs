//! Healthy: a `std::thread` drives the main runtime with
//! `Handle::block_on`: it sleeps 300 ms (`tokio::time::sleep`) and sends a
//! heartbeat on a peeps channel, forever. A `monitor` task receives;
//! `main` awaits the monitor's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_handle_block_on_sleep_send");
    let (tx, mut rx) = mpsc::channel_named::<u64>("heartbeats", 4);
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("heartbeat".into())
        .spawn(move || {
            handle.block_on(async move {
                for i in 0u64.. {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if tx.send(i).await.is_err() {
                        break;
                    }
                }
            });
        })
        .unwrap();
    let monitor = peeps::spawn_named("monitor", async move {
        let mut last = 0;
        while let Some(i) = rx.recv().await {
            last = i;
        }
        last
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "heartbeats", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "heartbeats", "recv")
    });
    println!("{}", monitor.await.unwrap());
}
