//! Deadlock: a cluster registry whose admin task asks the placement actor
//! a question while it still holds the registry's write lock. The plain
//! `tokio::spawn` placement actor answers each query on
//! `placement-queries` with the least loaded node, which it finds by
//! read-locking `registry` (a peeps `RwLock`), replying on the query's
//! `placement-reply` oneshot. The plain admin task registers three nodes
//! (asking placement between them, lock released), then rebalances:
//! write-locks `registry`, moves a shard off the node it is about to drain,
//! and, still holding the write guard, asks placement where the shard
//! should go. The actor waits for the read lock; the admin waits for its
//! answer.
//!
//! Expected: a certain deadlock between the two plain tasks (the admin,
//! receiving on `placement-reply` whose sender the actor holds, having
//! received the query; the actor, read-locking `registry` write-locked by
//! the admin). Both wait only on peeps primitives, nothing else holds a
//! clone of their wakers, and the received sender is found in the actor's
//! cell (a local it keeps across its `.await`), which a snapshot reads.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;

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
    peeps::install_sigusr1("registry_write_held_across_placement_query_plain");
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

    tokio::spawn(async move {
        for (i, name) in ["node-a", "node-b", "node-c"].into_iter().enumerate() {
            let target = ask(&placement, None).await;
            std::hint::black_box(target);
            registry
                .write()
                .await
                .insert(name.to_string(), i as u32 * 10);
        }
        // Rebalance: drain node-c.
        let mut nodes = registry.write().await;
        let moved = nodes.insert("node-c".to_string(), 0).unwrap_or(0);
        let target = ask(&placement, Some("node-c".to_string())).await;
        if let Some(target) = target {
            *nodes.entry(target).or_default() += moved;
        }
    });

    ready_when(|snap| {
        waited_on_for(snap, NodeKind::Channel, "placement-reply", "recv")
            && waited_on_for(snap, NodeKind::Rwlock, "registry", "read")
    });
    park().await
}
