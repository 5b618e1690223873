//! Deadlock: a shutdown waits for a channel to close, but one of its
//! senders lives inside the current value of a `watch` (a `watch` keeps
//! its last value for as long as any end of it lives; tokio#7517,
//! https://github.com/tokio-rs/tokio/issues/7517, on a `watch` sender
//! keeping things open).
//!
//! `#[tokio::main]`: the `config` `watch` carries a `Config` that includes
//! the `audit` mpsc sender, so handlers can log. A plain `tokio::spawn`
//! audit writer counts events until every `audit` sender is gone. On
//! shutdown `main` reads the handler's stats (a oneshot), drops its own `audit` sender and awaits the writer's
//! `JoinHandle`, still holding `config`'s sender, whose value holds the
//! last `audit` sender.
//!
//! Expected: one certain deadlock of `thread main` (awaiting the writer's
//! `JoinHandle`) and the writer (receiving on `audit`, whose last sender
//! is inside `config`'s value, kept by `main`).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot, watch};
use std::time::Duration;

#[derive(Clone)]
struct Config {
    max_body: usize,
    audit: mpsc::Sender<String>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("audit_sender_kept_in_watch_config");
    let (audit, mut events) = mpsc::channel_named::<String>("audit", 16);
    let writer = tokio::spawn(async move {
        let mut written = 0u64;
        while let Some(event) = events.recv().await {
            written += event.len() as u64;
        }
        written
    });
    let (config_tx, config) = watch::channel_named(
        "config",
        Config {
            max_body: 1024,
            audit: audit.clone(),
        },
    );
    let (stats_tx, stats) = oneshot::channel_named::<usize>("handler-stats");
    tokio::spawn(async move {
        let current = config.borrow().clone();
        for i in 0..3 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let _ = current
                .audit
                .send(format!("GET /items/{i} ({} max)", current.max_body))
                .await;
        }
        let _ = stats_tx.send(3);
    });
    let handled = stats.await.expect("the handler reports");
    println!("{handled} requests handled");
    audit
        .send("shutdown".to_owned())
        .await
        .expect("the writer is alive");
    drop(audit);
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "audit", "received") == Some(4)
            && waited_on_for(g, NodeKind::Channel, "audit", "recv")
    });
    // Forgot that `config_tx` still holds an `audit` sender in its value.
    let written = writer.await.expect("the writer ends");
    println!(
        "{written} bytes audited, last config {}",
        config_tx.borrow().max_body
    );
}
