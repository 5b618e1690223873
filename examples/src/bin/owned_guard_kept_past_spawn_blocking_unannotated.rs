//! Deadlock: the twin of `owned_guard_into_spawn_blocking_unannotated`
//! that keeps the guard. The editor (`peeps::spawn_named`, no other peeps
//! annotation) takes a `lock_owned` guard of `document`, writes through
//! it, hands a copy of the text to a `spawn_blocking` save and awaits it
//! (it finishes), then locks the document again while the guard is still
//! in its hands. Multi-thread runtime; no other task is alive.
//!
//! Expected: a certain deadlock of the editor with itself on `document`,
//! held by the editor (the guard found in its state; no task peeps cannot
//! see into is alive for it to have gone to).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;

async fn edit(document: Arc<Mutex<String>>) {
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    let copy = text.clone();
    let saved = tokio::task::spawn_blocking(move || copy.len())
        .await
        .expect("the save ran");
    println!("saved {saved} bytes");
    // The bug: `text` is still held here.
    let mut next = document.lock().await;
    next.push_str(" second edit");
    drop(text);
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_kept_past_spawn_blocking_unannotated");
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
