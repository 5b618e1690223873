//! HANG: a `flusher` task waits on a peeps `Notify` ("flush-now") that
//! nothing will ever notify (the code that would has been removed); the
//! `writer` peeps task waits for its flush report on `reports`; `main`
//! awaits the writer's `JoinHandle`. Nothing else runs.
//!
//! Expected: nothing can run again: the flusher stuck forever (or a
//! probable deadlock), `nothing_runs`.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Notify, mpsc};
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("notify_never_notified_plain_main_joins");
    let flush = Arc::new(Notify::new().named("flush-now"));
    let (tx, mut rx) = mpsc::channel_named::<u64>("reports", 4);
    let f = flush.clone();
    tokio::spawn(async move {
        loop {
            f.notified().await;
            if tx.send(1).await.is_err() {
                break;
            }
        }
    });
    let writer = peeps::spawn_named("writer", async move {
        let mut n = 0;
        while let Some(v) = rx.recv().await {
            n += v;
        }
        n
    });
    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "reports", "recv")
            && examples::waited_on(g, NodeKind::Notify, "flush-now")
    });
    println!("{}", writer.await.unwrap());
    drop(flush);
}
