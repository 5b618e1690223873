//! Healthy: `#[tokio::main]` reads its config from a peeps oneshot (sent
//! by a `loader` task), spawns a ticker (plain `tokio::spawn`,
//! `tokio::time::interval` 300 ms, sends on `jobs`) and two `worker` peeps
//! tasks sharing the `jobs` receiver behind a peeps `Mutex`, then parks
//! forever in `std::future::pending()`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_spawns_all_then_pending_forever");
    let (cfg_tx, cfg_rx) = oneshot::channel_named::<u64>("config");
    peeps::spawn_named("loader", async move {
        let _ = cfg_tx.send(300);
    });
    let period = cfg_rx.await.unwrap();
    let (tx, rx) = mpsc::channel_named::<u64>("jobs", 8);
    let rx = Arc::new(Mutex::new(rx).named("jobs-rx"));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(period));
        for i in 0u64.. {
            tick.tick().await;
            if tx.send(i).await.is_err() {
                break;
            }
        }
    });
    for w in 0..2 {
        let rx = rx.clone();
        peeps::spawn_named(format!("worker-{w}"), async move {
            loop {
                let job = rx.lock().await.recv().await;
                if job.is_none() {
                    break;
                }
            }
        });
    }
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "jobs", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "jobs", "recv")
    });
    std::future::pending::<()>().await;
}
