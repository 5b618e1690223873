//! Healthy control: an editor (`peeps::spawn_named`, no other peeps
//! annotation) takes a `lock_owned` guard of `document`, writes through
//! it, and moves it into a `tokio::task::spawn_blocking` closure that
//! writes the file to disk (slow: a long sleep of its thread) and drops
//! it; the editor then locks the document again, in the same scope, for
//! its next edit. Multi-thread runtime; no other task is alive.
//!
//! Expected: no deadlock, nothing stuck forever: the guard is with the
//! blocking thread, which will drop it. peeps does not follow it there;
//! the bytes it was moved out of may stay in the editor's state and must
//! not pin it on the editor (a `spawn_blocking` closure is no tokio task
//! of the census, so the census does not cover this move).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

async fn edit(document: Arc<Mutex<String>>) {
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    tokio::task::spawn_blocking(move || {
        // Writing a large file.
        std::thread::sleep(Duration::from_secs(3600));
        println!("saved {} bytes", text.len());
    });
    let mut next = document.lock().await;
    next.push_str(" second edit");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("owned_guard_into_spawn_blocking_unannotated");
    let document = Arc::new(Mutex::new(String::from("draft")).named("document"));
    peeps::spawn_named("editor", edit(document));
    ready_when(|g| waited_on_for(g, NodeKind::Mutex, "document", "lock"));
    park().await
}
