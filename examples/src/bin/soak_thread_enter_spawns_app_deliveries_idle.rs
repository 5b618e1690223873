//! Healthy: `soak_thread_enter_spawns_app_deliveries` with a quieter
//! watcher: one file event every 2 s (the thread blocks in the OS between
//! events, as an inotify or stdin reader does). The thread enters the
//! runtime and holds only `Arc<App>`; each event is delivered by a
//! `deliver` peeps task through `app.events` to the `indexer`; `main`
//! awaits the indexer.
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
    peeps::install_sigusr1("soak_thread_enter_spawns_app_deliveries_idle");
    let (events, mut rx) = mpsc::channel_named::<String>("fs-events", 16);
    let app = Arc::new(App { events });
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("fs-watcher".into())
        .spawn(move || {
            let _rt = handle.enter();
            for i in 0u64.. {
                std::thread::sleep(Duration::from_millis(if i == 0 { 50 } else { 2000 }));
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
            println!("indexed {ev}");
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "fs-events", "received").is_some_and(|n| n >= 1)
            && waited_on_for(g, NodeKind::Channel, "fs-events", "recv")
    });
    println!("{}", indexer.await.unwrap());
}
