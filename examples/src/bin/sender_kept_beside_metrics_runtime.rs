//! Deadlock in truth, with background work on its own runtime: `main`
//! builds a dedicated one-thread `metrics` runtime running a plain metrics
//! loop on a timer, and the app runtime. On the app runtime a pump
//! (`peeps::spawn_named`, no other peeps annotation) sends a first tick on
//! its own `ticks` channel, moves a *clone* of the sender into a task on
//! the metrics runtime that sends one tick and ends, and receives until
//! every sender is gone — but it keeps the original.
//!
//! What docs/ownership.md promises: the metrics loop is a tokio task
//! peeps cannot see into, alive, so the pump's use of its sender proves
//! nothing: no deadlock, and at a short threshold a long wait on `ticks`
//! that says its sender was last seen with task "pump" and may have been
//! moved into such a task.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::mpsc;
use std::time::Duration;
use tokio::runtime::{Builder, Handle};

async fn pump(ticks: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>, metrics: Handle) {
    if ticks.send(0).await.is_err() {
        return;
    }
    let once = ticks.clone();
    metrics.spawn(async move {
        let _ = once.send(1).await;
    });
    // The bug: `ticks` is still held here, so the loop never ends.
    while let Some(t) = rx.recv().await {
        println!("tick {t}");
    }
    drop(ticks);
}

fn main() {
    peeps::install_sigusr1("sender_kept_beside_metrics_runtime");
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
                && examples::attr(g, NodeKind::Channel, "ticks", "received") == Some(2)
                && examples::attr(g, NodeKind::Channel, "ticks", "senders") == Some(1)
        });
        park().await
    })
}
