//! Deadlock: a task locks a mutex it already holds.
//!
//! `reloader` locks `config` to apply an update, and the update calls a
//! helper that locks `config` again to read a value. tokio's mutex is not
//! reentrant: the second lock waits for the first guard, which its own
//! task holds until the second lock succeeds.
//!
//! Expected: one `certain` deadlock of the single task `reloader` on mutex
//! `config` (a cycle of one: the task waits on a mutex held by itself).

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

type Config = Arc<Mutex<HashMap<&'static str, u64>>>;

#[peeps::instrument]
async fn apply_update(config: Config) {
    let mut guard = config.lock().await;
    let timeout = current_timeout(&config).await;
    guard.insert("timeout_ms", timeout * 2);
}

#[peeps::instrument]
async fn current_timeout(config: &Config) -> u64 {
    config
        .lock()
        .await
        .get("timeout_ms")
        .copied()
        .unwrap_or(1000)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("relock_held_mutex");
    let config: Config = Arc::new(Mutex::new(HashMap::new()).named("config"));
    peeps::spawn_named("reloader", apply_update(config));

    ready_when(|g| waited_on(g, NodeKind::Mutex, "config"));
    park().await
}
