//! Healthy: a file-watcher `std::thread` (blocking OS API, here a 300 ms
//! sleep) enters the runtime (`Handle::enter`) so it can spawn, and for
//! each event spawns a `deliver` peeps task that sends it to the `indexer`
//! task over a peeps channel. `main` awaits the indexer's `JoinHandle`.
//! Between events every task waits on a peeps primitive and the watcher
//! thread sleeps in the OS.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_enter_spawns_deliveries");
    let (tx, mut rx) = mpsc::channel_named::<String>("fs-events", 16);
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("fs-watcher".into())
        .spawn(move || {
            let _rt = handle.enter();
            for i in 0u64.. {
                std::thread::sleep(Duration::from_millis(300)); // waiting for inotify
                let tx = tx.clone();
                peeps::spawn_named("deliver", async move {
                    let _ = tx.send(format!("modified file{i}.txt")).await;
                });
            }
        })
        .unwrap();
    let indexer = peeps::spawn_named("indexer", async move {
        let mut n = 0;
        while let Some(ev) = rx.recv().await {
            n += ev.len();
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "fs-events", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "fs-events", "recv")
    });
    println!("{}", indexer.await.unwrap());
}
