//! Healthy, the control of `soak_warmup_runtime_dropped_thread_handle_spawns`
//! (no throwaway runtime at startup): a `watcher` `std::thread`, given the runtime's
//! `Handle` and the app's shared state (`Arc<App>`, with the `events`
//! sender), waits for a file event (a blocking OS call, here 300 ms) and
//! hands each to the runtime with `handle.spawn(async move { ... })`,
//! which sends it through `app.events`; the `indexer` task receives;
//! `main` awaits the indexer's `JoinHandle`.
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
    peeps::install_sigusr1("soak_thread_handle_spawns_control");
    let warmed = 0; // the control: no throwaway runtime
    println!("warmed {warmed} entries");
    let (events, mut rx) = mpsc::channel_named::<String>("events", 8);
    let app = Arc::new(App { events });
    let handle = tokio::runtime::Handle::current();
    std::thread::Builder::new()
        .name("watcher".into())
        .spawn(move || {
            for i in 0u64.. {
                std::thread::sleep(Duration::from_millis(300)); // blocking OS wait
                let app = app.clone();
                handle.spawn(async move {
                    let _ = app.events.send(format!("changed {i}")).await;
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
        examples::attr(g, NodeKind::Channel, "events", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "events", "recv")
    });
    println!("{}", indexer.await.unwrap());
}
