//! The twin of `moved_handles_test_attr.rs`, in a process of its own (no
//! other test's plain tasks alive): a `#[peeps::test]` body that keeps its
//! `lock_owned` guard and locks again must fail with the deadlock in words.

use peeps::sync::Mutex;
use std::sync::Arc;

/// The twin: the body keeps its `lock_owned` guard, awaits a
/// `spawn_blocking` save of a copy, and locks again.
#[peeps::test(timeout = "60s")]
#[should_panic(
    expected = "deadlock (certain, 1 task, 1 process):\n  task \"owned_guard_kept_past_spawn_blocking_then_relock\""
)]
async fn owned_guard_kept_past_spawn_blocking_then_relock() {
    let document = Arc::new(Mutex::new(String::from("draft")).named("t-kept-document"));
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    let copy = text.clone();
    let saved = tokio::task::spawn_blocking(move || copy.len())
        .await
        .expect("the save ran");
    println!("saved {saved} bytes");
    let mut next = document.lock().await;
    next.push_str(" second edit");
    drop(text);
}
