//! The fixed twin of `main_joins_workers_before_watch_shutdown`: `main`
//! sends `true` on the `watch` shutdown first, then joins the workers.
//! It runs generations: two plain `tokio::spawn` workers report on
//! `ready`, serve ticks until `shutdown` turns `true`, then flush for
//! 100 ms; `main` lets each generation run 400 ms.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{mpsc, watch};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_main_sends_watch_shutdown_then_joins");
    for generation in 0u64.. {
        let (shutdown_tx, shutdown_rx) = watch::channel_named("shutdown", false);
        let (ready_tx, mut ready_rx) = mpsc::channel_named::<usize>("ready", 4);
        let mut workers = Vec::new();
        for id in 0..2 {
            let mut shutdown = shutdown_rx.clone();
            let ready_tx = ready_tx.clone();
            workers.push(tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                ready_tx.send(id).await.expect("main is alive");
                drop(ready_tx);
                let mut served = 0u64;
                loop {
                    tokio::select! {
                        _ = shutdown.wait_for(|stop| *stop) => break,
                        _ = tokio::time::sleep(Duration::from_millis(30)) => served += 1,
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                served
            }));
        }
        drop(ready_tx);
        while let Some(id) = ready_rx.recv().await {
            println!("worker {id} ready");
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        let _ = shutdown_tx.send(true);
        let mut total = 0;
        for worker in workers {
            total += worker.await.expect("the worker ends");
        }
        println!("generation {generation}: served {total}");
        if generation == 1 {
            ready();
        }
    }
}
