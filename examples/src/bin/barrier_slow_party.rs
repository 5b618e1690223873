//! Healthy control: a `Barrier` whose parties arrive slowly.
//!
//! Four `shard` tasks load their part of an index and meet at `loaded`
//! before serving. Three finish at once and wait; the fourth's load takes
//! an hour (while it holds nothing the others need).
//!
//! Expected: no deadlock (the slow shard's timer brings the last party).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Mutex};
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn load_shard(id: u64, loaded: Arc<Barrier>, index: Arc<Mutex<Vec<u64>>>) {
    if id == 4 {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    index.lock().await.push(id);
    if loaded.wait().await.is_leader() {
        println!("all shards loaded");
    }
    println!("shard {id} serving");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("barrier_slow_party");
    let loaded = Arc::new(Barrier::new(4).named("loaded"));
    let index = Arc::new(Mutex::new(Vec::new()).named("index"));
    for id in 1..=4 {
        peeps::spawn_named(
            format!("shard-{id}"),
            load_shard(id, loaded.clone(), index.clone()),
        );
    }
    ready_when(|g| waiters(g, NodeKind::Notify, "loaded") == 3);
    park().await
}
