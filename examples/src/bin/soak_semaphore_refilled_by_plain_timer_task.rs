//! Healthy: three `worker` peeps tasks each acquire a permit of the peeps
//! `Semaphore` "api-quota" (0 permits at start) per call and `forget` it;
//! a plain `tokio::spawn` refiller adds one permit every 300 ms with
//! `add_permits`. Each call's result goes to the `stats` task on `calls`.
//! `main` awaits `stats`' `JoinHandle`.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_semaphore_refilled_by_plain_timer_task");
    let quota = Arc::new(Semaphore::new(0).named("api-quota"));
    let (tx, mut rx) = mpsc::channel_named::<usize>("calls", 16);
    for w in 0..3 {
        let quota = quota.clone();
        let tx = tx.clone();
        peeps::spawn_named(format!("worker-{w}"), async move {
            loop {
                quota.acquire().await.unwrap().forget();
                if tx.send(w).await.is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let refill = quota.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(300));
        loop {
            tick.tick().await;
            refill.add_permits(1);
        }
    });
    let stats = peeps::spawn_named("stats", async move {
        let mut n = 0usize;
        while let Some(w) = rx.recv().await {
            n += w;
        }
        n
    });
    ready_when(|g| {
        examples::attr(g, NodeKind::Channel, "calls", "received").is_some_and(|n| n >= 2)
            && waited_on_for(g, NodeKind::Channel, "calls", "recv")
    });
    println!("{}", stats.await.unwrap());
}
