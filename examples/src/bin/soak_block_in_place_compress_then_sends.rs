//! Healthy: a `compressor` task (plain `tokio::spawn`) compresses a
//! chunk inside `tokio::task::block_in_place` (a 300 ms CPU-bound stand-in,
//! `std::thread::sleep`), then sends it to the `writer` peeps task over
//! `chunks`, forever. Many idle peeps tasks wait on a `shutdown` Notify.
//! `main` awaits the writer's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_compress_then_sends");
    let shutdown = Arc::new(Notify::new().named("shutdown"));
    for i in 0..6 {
        let s = shutdown.clone();
        peeps::spawn_named(format!("idle-{i}"), async move { s.notified().await });
    }
    let (tx, mut rx) = mpsc::channel_named::<Vec<u8>>("chunks", 4);
    tokio::spawn(async move {
        loop {
            let chunk = tokio::task::block_in_place(|| {
                std::thread::sleep(Duration::from_millis(300));
                vec![0u8; 64]
            });
            if tx.send(chunk).await.is_err() {
                break;
            }
        }
    });
    let writer = peeps::spawn_named("writer", async move {
        let mut n = 0usize;
        while let Some(c) = rx.recv().await {
            n += c.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "chunks", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "chunks", "recv")
    });
    println!("{}", writer.await.unwrap());
    shutdown.notify_waiters();
}
