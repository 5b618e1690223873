//! Healthy: a `sensor` std::thread runs its loop under
//! `futures::executor::block_on` (no tokio there): a 300 ms blocking read,
//! then a send on the peeps channel `readings`; the `store` peeps task
//! receives. `main` awaits the store's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_futures_block_on_thread_sender");
    let (tx, mut rx) = mpsc::channel_named::<u32>("readings", 16);
    std::thread::Builder::new()
        .name("sensor".into())
        .spawn(move || {
            futures::executor::block_on(async move {
                for i in 0u32.. {
                    std::thread::sleep(Duration::from_millis(300)); // device read
                    if tx.send(i).await.is_err() {
                        break;
                    }
                }
            })
        })
        .unwrap();
    let store = peeps::spawn_named("store", async move {
        let mut n = 0u64;
        while let Some(v) = rx.recv().await {
            n += u64::from(v);
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "readings", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "readings", "recv")
    });
    println!("{}", store.await.unwrap());
}
