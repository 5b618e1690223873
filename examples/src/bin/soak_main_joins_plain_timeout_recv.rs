//! Healthy: `main` awaits a plain `tokio::spawn` worker's `JoinHandle`;
//! the worker waits on a peeps `recv` under `tokio::time::timeout` (2 s),
//! counting idle periods; its sender is kept by a `reporter` task that
//! waits on a peeps `Notify` nobody has notified yet, under a
//! `timeout` of 1 s per try too.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_joins_plain_timeout_recv");
    let (tx, mut rx) = mpsc::channel_named::<u64>("reports", 8);
    let flush = Arc::new(Notify::new().named("flush"));
    {
        let flush = flush.clone();
        tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                if tokio::time::timeout(Duration::from_secs(1), flush.notified())
                    .await
                    .is_ok()
                {
                    n += 1;
                    if tx.send(n).await.is_err() {
                        break;
                    }
                }
            }
        });
    }
    let worker = tokio::spawn(async move {
        let mut idle = 0u64;
        loop {
            match tokio::time::timeout(Duration::from_secs(2), rx.recv()).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => idle += 1,
            }
        }
        idle
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "reports", "recv")
            && waiters(g, NodeKind::Notify, "flush") == 1
    });
    println!("{}", worker.await.unwrap());
    flush.notify_one();
}
