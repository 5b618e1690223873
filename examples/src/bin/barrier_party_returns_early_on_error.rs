//! Stuck forever: a `Barrier` sized for every shard, one of which returns
//! early on an error (`?` before `barrier.wait()`), so the barrier can
//! never fill (the hang of prisma-risk/tsoracle#354,
//! https://github.com/prisma-risk/tsoracle/issues/354: a barrier wait
//! whose other party died, with no timeout).
//!
//! `#[tokio::main]`: three plain `tokio::spawn` shard loaders each load
//! their shard, then wait at `shards-loaded` (a `Barrier` of 3) so none
//! starts serving before all are loaded. Shard 2's file is corrupt: it
//! returns `Err` before reaching the barrier. `main` awaits the loaders'
//! `JoinHandle`s in order.
//!
//! Expected: shards 0 and 1 stuck forever at `shards-loaded` (2 of 3
//! parties arrived, the third task finished), `main` behind them.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Barrier;
use std::sync::Arc;
use std::time::Duration;

async fn load_shard(id: usize, barrier: Arc<Barrier>) -> Result<usize, String> {
    tokio::time::sleep(Duration::from_millis(30 * id as u64 + 10)).await;
    if id == 2 {
        return Err(format!("shard {id}: checksum mismatch"));
    }
    let rows = 1_000 * (id + 1);
    barrier.wait().await;
    Ok(rows)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("barrier_party_returns_early_on_error");
    let barrier = Arc::new(Barrier::new(3).named("shards-loaded"));
    let loaders: Vec<_> = (0..3)
        .map(|id| tokio::spawn(load_shard(id, barrier.clone())))
        .collect();
    ready_when(|g| waiters(g, NodeKind::Notify, "shards-loaded") == 2);
    for (id, loader) in loaders.into_iter().enumerate() {
        match loader.await.expect("the loader does not panic") {
            Ok(rows) => println!("shard {id}: {rows} rows"),
            Err(e) => println!("{e}"),
        }
    }
}
