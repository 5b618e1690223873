//! Hang: a `Barrier` of 3 whose third party returns early with an error.
//! Three `replica` peeps tasks each open their replica and wait at the
//! `replicas-open` barrier before serving; replica 2 fails to parse its
//! config and returns `Err` through `?` before reaching the barrier.
//! `main` awaits the replicas' `JoinHandle`s in order.
//!
//! Expected: replicas 0 and 1 stuck forever at `replicas-open` (the third
//! party is gone), `main` behind them.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Barrier;
use std::sync::Arc;
use std::time::Duration;

async fn replica(id: u32, open: Arc<Barrier>) -> Result<u32, std::num::ParseIntError> {
    tokio::time::sleep(Duration::from_millis(10 * u64::from(id))).await;
    let port: u32 = if id == 2 {
        "80x".parse()?
    } else {
        "8080".parse()?
    };
    open.wait().await;
    Ok(port + id)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("barrier_third_party_returns_early");
    let open = Arc::new(Barrier::new(3).named("replicas-open"));
    let replicas: Vec<_> = (0..3)
        .map(|id| peeps::spawn_named(format!("replica-{id}"), replica(id, open.clone())))
        .collect();
    ready_when(|g| waiters(g, NodeKind::Notify, "replicas-open") == 2);
    for r in replicas {
        match r.await.unwrap() {
            Ok(port) => println!("serving on {port}"),
            Err(e) => println!("replica failed: {e}"),
        }
    }
}
