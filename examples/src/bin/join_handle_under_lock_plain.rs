//! Deadlock: a task holds a mutex guard while it awaits the `JoinHandle`
//! of a task it spawned, and that task needs the mutex. No peeps
//! annotation at all: plain `tokio::spawn` of `async move` blocks, only
//! `tokio::sync::Mutex` swapped for `peeps::sync::Mutex`.
//!
//! A reloader locks the plugin registry, spawns a task to warm up the new
//! plugin (which registers itself, locking the registry), and awaits it
//! before releasing the registry.
//!
//! Expected: no false alarm. A tokio `JoinHandle` is not peeps', so the
//! join is invisible and the cycle cannot be proven; what peeps holds is
//! the warm-up task's lock wait on mutex `registry`, whose guard the
//! reloader holds: at a short `--long-wait-ms` a long wait of the warm-up
//! task on `registry`, held by the reloader.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("join_handle_under_lock_plain");
    let registry = Arc::new(Mutex::new(Vec::<String>::new()).named("registry"));

    tokio::spawn(async move {
        let mut plugins = registry.lock().await;
        plugins.retain(|p| p != "gzip");
        let for_warmup = registry.clone();
        let warmup = tokio::spawn(async move {
            for_warmup.lock().await.push("gzip".to_string());
        });
        // The registry's guard is still held here.
        let _ = warmup.await;
        println!("{} plugins", plugins.len());
    });

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "registry", "lock"));
    park().await
}
