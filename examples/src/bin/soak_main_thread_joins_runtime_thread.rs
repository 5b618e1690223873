//! Healthy: `main` builds a multi-thread runtime and runs the app's
//! `block_on` on a spawned `std::thread` ("app"), which it joins. In the
//! app, a `ticker` task sends on `ticks` every 300 ms
//! (`tokio::time::sleep`); the `consumer` peeps task receives; the app
//! thread's `block_on` awaits the consumer's `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

fn main() {
    peeps::install_sigusr1("soak_main_thread_joins_runtime_thread");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = std::thread::Builder::new()
        .name("app".into())
        .spawn(move || {
            rt.block_on(async {
                let (tx, mut rx) = mpsc::channel_named::<u64>("ticks", 4);
                peeps::spawn_named("ticker", async move {
                    for i in 0u64.. {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        if tx.send(i).await.is_err() {
                            break;
                        }
                    }
                });
                let consumer = peeps::spawn_named("consumer", async move {
                    let mut n = 0;
                    while let Some(v) = rx.recv().await {
                        n += v;
                    }
                    n
                });
                ready_when(|g| {
                    examples::attr(g, NodeKind::Channel, "ticks", "received")
                        .is_some_and(|n| n >= 2)
                        && waited_on_for(g, NodeKind::Channel, "ticks", "recv")
                });
                consumer.await.unwrap()
            })
        })
        .unwrap();
    println!("{}", app.join().unwrap());
}
