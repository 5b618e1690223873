//! Healthy control: a `lock_owned` guard, written through, then moved
//! into a plain `tokio::spawn(async move { .. })` block that saves the
//! document (slowly: a timer) before it drops the guard; the editor
//! (`peeps::spawn_named`, its body instrumented) then waits, in the same
//! scope, for the document's lock to start its next edit.
//!
//! Expected: no deadlock, nothing stuck forever: the guard is with the
//! saving block, on a timer. peeps cannot follow the guard into an
//! uninstrumented block; the bytes it was moved out of may stay in the
//! editor's state, which must not pin it on the editor.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

async fn edit(document: Arc<Mutex<String>>) {
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("saved {} bytes", text.len());
    });
    // The next edit starts once the save is done.
    let mut next = document.lock().await;
    next.push_str(" second edit");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_moved_then_relock_plain");
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
