//! Healthy control: several tasks wait for a lazily loaded value while the
//! first one loads it.
//!
//! Three `handler` tasks each need the settings in `SETTINGS` (a
//! `OnceCell`) and call `get_or_init`; the first runs the load, which
//! takes an hour (a slow remote config service), the other two wait for
//! it.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::OnceCell;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn load_settings() -> String {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    "timeout=30".to_owned()
}

#[peeps::instrument]
async fn handle(id: usize, settings: Arc<OnceCell<String>>) {
    let s = settings.get_or_init(load_settings).await;
    println!("handler {id} uses {s}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_slow_init");
    let settings = Arc::new(OnceCell::new().named("settings"));
    for id in 1..=3 {
        peeps::spawn_named(format!("handler-{id}"), handle(id, settings.clone()));
    }
    ready_when(|g| waiters(g, NodeKind::Notify, "settings") == 2);
    park().await
}
