//! Healthy (the shards are `peeps::spawn_named` tasks, so the census
//! counts them): three shard tasks meet at a peeps `Barrier` every round; the
//! third sleeps 500 ms (`tokio::time::sleep`) before it arrives. `main`
//! awaits the shards' `JoinHandle`s.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Barrier;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_barrier_last_party_after_sleep_named");
    let barrier = Arc::new(Barrier::new(3).named("round"));
    let shards: Vec<_> = (0..3u64)
        .map(|id| {
            let barrier = barrier.clone();
            peeps::spawn_named(format!("shard-{id}"), async move {
                for round in 0u64.. {
                    if id == 2 {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    barrier.wait().await;
                    if round == u64::MAX {
                        break;
                    }
                }
            })
        })
        .collect();
    ready_when(|g| waiters(g, NodeKind::Notify, "round") == 2);
    for s in shards {
        s.await.unwrap();
    }
}
