//! Healthy control: a per-document lock taken with `lock_owned` and moved
//! into a plain `tokio::spawn(async move { .. })` block that saves the
//! document (slowly: a timer) and then drops the guard. The editor
//! (`peeps::spawn_named`, its body instrumented) starts the save and, at
//! the next edit, waits for the document's lock again.
//!
//! Expected: no deadlock, nothing stuck forever: the guard is with the
//! saving block, on a timer (peeps cannot follow a guard into an
//! uninstrumented block, so it must not pin it on the editor).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn edit(document: Arc<Mutex<String>>) {
    for edit in 0u64.. {
        let mut text = document.clone().lock_owned().await;
        text.push_str(&format!(" edit-{edit}"));
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            println!("saved {} bytes", text.len());
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_into_async_block");
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));

    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
