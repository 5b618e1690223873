//! Healthy control: one task awaits two `get_or_init` calls of the same
//! `OnceCell` at once, in a `join!`; the first runs the load, the second
//! waits for it, beside it in the same task.
//!
//! `warm-up` (a plain `tokio::spawn` task, so peeps cannot count its
//! wakers) joins two plain async blocks that each need the settings;
//! `handler` (a peeps task) joins two instrumented `handle` calls that need
//! the limits. Each load takes an hour (a slow remote config service). The
//! second call of each join waits for the first, whose load will end.
//!
//! Expected: no deadlock, nothing stuck forever (the task holds the cell
//! it waits on, but not from inside the wait: the initialiser is a
//! sibling, not an enclosing future).

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::OnceCell;
use std::sync::Arc;
use std::time::Duration;

async fn slow_load(what: &str) -> String {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    format!("{what}=30")
}

#[peeps::instrument]
async fn handle(id: usize, limits: Arc<OnceCell<String>>) {
    let l = limits.get_or_init(|| slow_load("limit")).await;
    println!("call {id} uses {l}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_join_same_task");
    let settings = Arc::new(OnceCell::new().named("settings"));
    let limits = Arc::new(OnceCell::new().named("limits"));
    tokio::spawn(async move {
        let first = async { settings.get_or_init(|| slow_load("timeout")).await.len() };
        let second = async { settings.get_or_init(|| slow_load("timeout")).await.len() };
        println!("{:?}", tokio::join!(first, second));
    });
    peeps::spawn_named("handler", async move {
        tokio::join!(handle(1, limits.clone()), handle(2, limits));
    });
    ready_when(|g| {
        waiters(g, NodeKind::Notify, "settings") == 1 && waiters(g, NodeKind::Notify, "limits") == 1
    });
    park().await
}
