//! Deadlock: the twin of `owned_guard_moved_then_relock_plain` that keeps
//! the guard. An editor (`peeps::spawn_named`, no other peeps annotation)
//! takes a `lock_owned` guard, writes through it, awaits a plain
//! `tokio::spawn` task that logs (and finishes), and locks the document
//! again while the guard is still in its hands.
//!
//! Expected: a certain deadlock of the editor with itself on `document`,
//! held by the editor: the plain task it spawned is gone, so no task
//! peeps cannot see into is left for the guard to have gone to.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;

async fn edit(document: Arc<Mutex<String>>) {
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    let len = text.len();
    let _ = tokio::spawn(async move { println!("autosave of {len} bytes queued") }).await;
    // The bug: `text` is still held here.
    let mut next = document.lock().await;
    next.push_str(" second edit");
    drop(text);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_kept_then_relock_plain");
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
