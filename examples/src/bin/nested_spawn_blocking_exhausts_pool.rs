//! Deadlock (graph-node#2354, https://github.com/graphprotocol/graph-node/pull/2354,
//! "a double dip deadlock"; tokio#5889): blocking-pool work that waits for
//! more blocking-pool work, on a runtime whose `max_blocking_threads` the
//! outer jobs alone use up.
//!
//! The runtime allows 2 blocking threads. Two plain `tokio::spawn` import
//! tasks each run `import` through `spawn_blocking`; `import` parses, hands
//! the hashing of its rows to another `spawn_blocking` closure that answers
//! on a `digest` oneshot, and blocks in `blocking_recv` for it. Both
//! threads of the pool are held by the outer closures, so the hashing
//! closures stay queued forever, each holding the sender its outer
//! closure waits for.
//!
//! Expected: one certain deadlock of the two blocking threads, each parked
//! on a `digest` whose sender is in a `spawn_blocking` closure queued
//! behind them (the pool is full); the two import tasks behind, awaiting
//! their outer `JoinHandle`s.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::oneshot;
use std::time::Duration;

fn import(file: &'static str) -> (usize, u64) {
    let rows: Vec<String> = (0..100).map(|i| format!("{file},{i}")).collect();
    std::thread::sleep(Duration::from_millis(100));
    let (digest_tx, digest) = oneshot::channel_named("digest");
    let to_hash = rows.clone();
    tokio::task::spawn_blocking(move || {
        let sum = to_hash.iter().map(|r| r.len() as u64).sum::<u64>();
        let _ = digest_tx.send(sum);
    });
    let sum = digest.blocking_recv().expect("the hasher answers");
    (rows.len(), sum)
}

fn main() {
    peeps::install_sigusr1("nested_spawn_blocking_exhausts_pool");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        for file in ["users.csv", "orders.csv"] {
            tokio::spawn(async move {
                let (rows, sum) = tokio::task::spawn_blocking(move || import(file))
                    .await
                    .expect("the import does not panic");
                println!("{file}: {rows} rows, digest {sum}");
            });
        }
        ready_when(|g| waiters(g, NodeKind::Channel, "digest") == 2);
        park().await
    })
}
