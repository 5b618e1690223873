//! Healthy: a `reader` std::thread drives its loop with the runtime's
//! `Handle::block_on`: a blocking 300 ms read (`std::thread::sleep`),
//! then a send on `samples` to the `collector` peeps task; between reads
//! it checks a peeps `Notify` ("reader-stop", pinned once, polled with
//! `futures::poll!`). `main` awaits the collector's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_block_on_checks_stop_between_blocking_reads");
    let stop = Arc::new(Notify::new().named("reader-stop"));
    let (tx, mut rx) = mpsc::channel_named::<u32>("samples", 16);
    let handle = tokio::runtime::Handle::current();
    let s = stop.clone();
    std::thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            handle.block_on(async move {
                let stopped = s.notified();
                tokio::pin!(stopped);
                let mut i = 0u32;
                loop {
                    if futures::poll!(stopped.as_mut()).is_ready() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(300)); // blocking read
                    i += 1;
                    if tx.send(i).await.is_err() {
                        break;
                    }
                }
            })
        })
        .unwrap();
    let collector = peeps::spawn_named("collector", async move {
        let mut n = 0u64;
        while let Some(v) = rx.recv().await {
            n += u64::from(v);
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "samples", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "samples", "recv")
    });
    println!("{}", collector.await.unwrap());
    stop.notify_one();
}
