//! Deadlock, with an unrelated plain task alive: the twin of
//! `owned_guard_kept_past_spawn_blocking_unannotated` on a current-thread
//! runtime whose `main` also runs a plain `tokio::spawn` heartbeat loop on
//! a timer, which never touches `document`. The editor
//! (`peeps::spawn_named`, no other peeps annotation) takes a `lock_owned`
//! guard, writes through it, awaits a `spawn_blocking` save of a copy
//! (it finishes), and locks `document` again with the guard in its hands.
//!
//! The truth: the editor waits for itself forever. What docs/ownership.md
//! promises while a task peeps cannot see into is alive (the heartbeat): a
//! lock guard is proof, but an owned guard (`lock_owned`) can move, so its
//! find in the editor's state is no proof: no deadlock, a long wait on
//! `document` that says it may have been moved into such a task.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

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

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("owned_guard_kept_with_heartbeat_current_thread");
    tokio::spawn(async {
        let mut beat = tokio::time::interval(Duration::from_millis(50));
        loop {
            beat.tick().await;
        }
    });
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
