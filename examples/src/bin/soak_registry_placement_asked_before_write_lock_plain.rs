//! Healthy: the fix of `registry_write_held_across_placement_query_plain`.
//! The plain admin task asks the placement actor where to move the shard
//! first, and write-locks `registry` (a peeps `RwLock`) only to apply the
//! answer; it rebalances every 60 ms, forever. The plain placement actor
//! read-locks `registry` for each query on `placement-queries` and answers
//! on its `placement-reply` oneshot; three plain request tasks also ask it
//! every 40 ms.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct Query {
    exclude: Option<String>,
    reply: oneshot::Sender<Option<String>>,
}

type Registry = Arc<RwLock<HashMap<String, u32>>>;

async fn ask(placement: &mpsc::Sender<Query>, exclude: Option<String>) -> Option<String> {
    let (reply, answer) = oneshot::channel_named("placement-reply");
    placement.send(Query { exclude, reply }).await.ok()?;
    answer.await.ok().flatten()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_registry_placement_asked_before_write_lock_plain");
    let registry: Registry = Arc::new(RwLock::new(HashMap::new()).named("registry"));
    let (placement, mut queries) = mpsc::channel_named::<Query>("placement-queries", 8);

    let actor_registry = registry.clone();
    tokio::spawn(async move {
        while let Some(Query { exclude, reply }) = queries.recv().await {
            let nodes = actor_registry.read().await;
            let best = nodes
                .iter()
                .filter(|(name, _)| Some(*name) != exclude.as_ref())
                .min_by_key(|(_, load)| **load)
                .map(|(name, _)| name.clone());
            let _ = reply.send(best);
        }
    });

    for _ in 0..3 {
        let placement = placement.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(40)).await;
                std::hint::black_box(ask(&placement, None).await);
            }
        });
    }

    tokio::spawn(async move {
        for (i, name) in ["node-a", "node-b", "node-c"].into_iter().enumerate() {
            registry
                .write()
                .await
                .insert(name.to_string(), i as u32 * 10);
        }
        for round in 0u32.. {
            tokio::time::sleep(Duration::from_millis(60)).await;
            let drain = ["node-a", "node-b", "node-c"][round as usize % 3];
            let target = ask(&placement, Some(drain.to_string())).await;
            let mut nodes = registry.write().await;
            let moved = nodes.insert(drain.to_string(), 0).unwrap_or(0);
            if let Some(target) = target {
                *nodes.entry(target).or_default() += moved + 1;
            }
        }
    });

    // Answers are immediate: the actor idling on its queue is what the
    // graph shows most.
    ready_when(|snap| waited_on_for(snap, NodeKind::Channel, "placement-queries", "recv"));
    park().await
}
