//! Deadlock: a `OnceCell::get_or_init` whose initialiser awaits a mutex
//! the caller holds. No peeps annotation at all: a plain `tokio::spawn`
//! of an `async move` block.
//!
//! A handler locks the settings to update them, and while the guard is
//! alive asks the lazily built client for its endpoint; building the
//! client reads the settings, locking them again.
//!
//! Expected: one `certain` deadlock (a plain tokio task) of that task
//! with itself over mutex `settings`: the initialiser, run by the task
//! itself, waits for the guard it holds.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, OnceCell};
use std::sync::Arc;

struct Settings {
    endpoint: String,
    retries: u32,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("once_cell_init_locks_held_mutex_plain");
    let settings = Arc::new(
        Mutex::new(Settings {
            endpoint: "http://db:5984".to_string(),
            retries: 3,
        })
        .named("settings"),
    );
    let client = Arc::new(OnceCell::<String>::new().named("client"));

    tokio::spawn(async move {
        let mut current = settings.lock().await;
        current.retries += 1;
        let endpoint = client
            .get_or_init(|| async { settings.lock().await.endpoint.clone() })
            .await;
        println!("{endpoint} with {} retries", current.retries);
    });

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "settings", "lock"));
    park().await
}
