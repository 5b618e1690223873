//! Healthy: as `soak_thread_enter_spawns_deliveries`, but the
//! watcher thread holds only the app's shared state (`Arc<App>`, which
//! keeps the `fs-events` sender): it enters the runtime (`Handle::enter`)
//! and for each event (every 300 ms) spawns a `deliver` peeps task that
//! sends through `app.events`. The `indexer` task receives; `main` awaits
//! the indexer's `JoinHandle`. Between events every task waits on a peeps
//! primitive and the watcher thread sleeps in the OS.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

struct App {
    events: mpsc::Sender<String>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_thread_enter_spawns_app_deliveries");
    let (events, mut rx) = mpsc::channel_named::<String>("fs-events", 16);
    let app = Arc::new(App { events });
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("fs-watcher".into())
        .spawn(move || {
            let _rt = handle.enter();
            for i in 0u64.. {
                std::thread::sleep(Duration::from_millis(300)); // waiting for inotify
                let app = app.clone();
                peeps::spawn_named("deliver", async move {
                    let _ = app.events.send(format!("modified file{i}.txt")).await;
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
