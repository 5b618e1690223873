//! Healthy, with background work on its own runtime: `main` builds a
//! dedicated one-thread `metrics` runtime (as services do for an exporter)
//! running a plain metrics loop on a timer, and the app runtime. On the
//! app runtime a pump (`peeps::spawn_named`, no other peeps annotation)
//! sends a first tick on its own `ticks` channel, then moves the sender
//! into an hourly flush task spawned on the metrics runtime
//! (`Handle::spawn` of an `async move` block), and receives.
//!
//! The truth: the sender is with the hourly flush, alive: the pump waits
//! for its next tick. What docs/ownership.md promises: while a task peeps
//! cannot see into is alive (the metrics loop, the flush), the pump's use
//! of the sender proves nothing: no deadlock, nothing stuck forever; at a
//! short threshold, a long wait on `ticks`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::runtime::{Builder, Handle};

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>, metrics: Handle) {
    if ticks.send(0).await.is_err() {
        return;
    }
    metrics.spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        hourly.tick().await;
        let mut n = 1;
        loop {
            hourly.tick().await;
            if ticks.send(n).await.is_err() {
                return;
            }
            n += 1;
        }
    });
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
}

fn main() {
    peeps::install_sigusr1("sender_to_metrics_runtime");
    let metrics = Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("metrics")
        .enable_all()
        .build()
        .expect("the metrics runtime");
    metrics.spawn(async {
        let mut every = tokio::time::interval(Duration::from_millis(50));
        loop {
            every.tick().await;
        }
    });
    let app = Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the app runtime");
    let handle = metrics.handle().clone();
    app.block_on(async move {
        let (tx, rx) = mpsc::channel_named("ticks", 4);
        peeps::spawn_named("pump", pump(tx, rx, handle));
        ready_when(|g| {
            waited_on_for(g, NodeKind::Channel, "ticks", "recv")
                && examples::attr(g, NodeKind::Channel, "ticks", "received") == Some(1)
        });
        park().await
    })
}
