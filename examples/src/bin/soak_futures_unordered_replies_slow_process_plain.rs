//! Healthy: a plain `tokio::spawn` aggregator asks three `shard` actors
//! (peeps tasks) for a partial result, each with a peeps oneshot reply
//! (`shard-reply`), collects the replies in a `FuturesUnordered` and
//! processes each as it comes for 600 ms (a `tokio::time::sleep`). The
//! shards answer after 100, 150 and 200 ms, so two replies sit unread
//! while the first is processed. Rounds forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{attr, ready_when};
use futures::stream::{FuturesUnordered, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_futures_unordered_replies_slow_process_plain");
    let mut shards = Vec::new();
    for s in 0..3u64 {
        let (tx, mut rx) = mpsc::channel_named::<(u64, oneshot::Sender<u64>)>("shard-inbox", 4);
        peeps::spawn_named("shard", async move {
            while let Some((q, reply)) = rx.recv().await {
                tokio::time::sleep(Duration::from_millis(100 + 50 * s)).await;
                let _ = reply.send(q * 10 + s);
            }
        });
        shards.push(tx);
    }
    let aggregator = tokio::spawn(async move {
        let mut round = 0u64;
        loop {
            let mut pending = FuturesUnordered::new();
            for shard in &shards {
                let (tx, rx) = oneshot::channel_named("shard-reply");
                shard.send((round, tx)).await.unwrap();
                pending.push(rx);
            }
            let mut sum = 0;
            while let Some(part) = pending.next().await {
                sum += part.unwrap();
                tokio::time::sleep(Duration::from_millis(600)).await;
            }
            round += 1;
            if sum == u64::MAX {
                break;
            }
        }
    });
    ready_when(|g| attr(g, NodeKind::Channel, "shard-inbox", "received").is_some_and(|n| n >= 2));
    aggregator.await.unwrap();
}
