//! Healthy control: a `lock_owned` guard written through, then moved into
//! a `spawn_blocking` closure that writes the document to disk (slow: a
//! long sleep of its thread) and drops it; the editor
//! (`peeps::spawn_named`, its body instrumented) locks the document again
//! in the same scope.
//!
//! Expected: no deadlock, nothing stuck forever: the guard is with the
//! blocking thread, which will drop it. peeps does not follow it there;
//! the bytes it was moved out of must not pin it on the editor.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn edit(document: Arc<Mutex<String>>) {
    let mut guard = document.clone().lock_owned().await;
    guard.push_str("draft");
    tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_secs(3600));
        println!("saved {} bytes", guard.len());
    });
    let again = document.lock().await;
    println!("editing {}", again.len());
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_into_spawn_blocking_relock");
    let document = Arc::new(Mutex::new(String::new()).named("document"));
    peeps::spawn_named("editor", edit(document));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
