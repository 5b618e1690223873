//! Deadlock: a task awaits the handles of the tasks it spawned, through
//! `futures::future::join_all`, while holding a lock they need.
//!
//! `deployer` locks `inventory` to plan a rollout, spawns a `deploy-<n>`
//! task per host, and awaits them all before dropping the guard. Each
//! deploy task starts by locking `inventory` to mark its host busy.
//!
//! Expected: one `certain` deadlock of `deployer` and the three deploy
//! tasks: the deployer joins them, each waits on mutex `inventory` held by
//! the deployer.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

type Inventory = Arc<Mutex<HashMap<&'static str, bool>>>;

#[peeps::instrument]
async fn deploy_host(inventory: Inventory, host: &'static str) {
    inventory.lock().await.insert(host, true);
    println!("deployed {host}");
}

#[peeps::instrument]
async fn roll_out(inventory: Inventory) {
    let hosts = inventory.lock().await;
    let mut handles = Vec::new();
    for (n, host) in hosts.keys().copied().enumerate() {
        let task = deploy_host(inventory.clone(), host);
        handles.push(peeps::spawn_named(format!("deploy-{}", n + 1), task));
    }
    for result in futures::future::join_all(handles).await {
        result.expect("a deploy does not panic");
    }
    drop(hosts);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_all_holding_lock");
    let hosts = HashMap::from([("web-1", false), ("web-2", false), ("web-3", false)]);
    let inventory: Inventory = Arc::new(Mutex::new(hosts).named("inventory"));
    peeps::spawn_named("deployer", roll_out(inventory));

    ready_when(|g| {
        waiters(g, NodeKind::Mutex, "inventory") == 3
            && (1..=3).all(|n| waiters(g, NodeKind::Task, &format!("deploy-{n}")) == 1)
    });
    park().await
}
