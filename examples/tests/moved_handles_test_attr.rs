//! `#[peeps::test]` bodies that hand a movable handle (a `lock_owned`
//! guard, an owned permit) to somewhere peeps cannot see, and their twins
//! that keep it: the body is a peeps task driven by `block_on` (no tokio
//! task of the census), with no other annotation.
//!
//! A healthy body must pass (no deadlock found while it waits); a body that
//! truly waits for itself must fail with the deadlock in words.

use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::time::Duration;

/// The body's `lock_owned` guard, written through, moved into a
/// `spawn_blocking` save that drops it after 3 s; the body locks again.
/// (Regression: a certain deadlock of the body while the census counted
/// tasks only; the blocking thread is one it cannot see into.)
#[peeps::test(timeout = "60s")]
async fn owned_guard_into_spawn_blocking_then_relock() {
    let document = Arc::new(Mutex::new(String::from("draft")).named("t-document"));
    let mut text = document.clone().lock_owned().await;
    text.push_str(" first edit");
    tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_secs(3));
        println!("saved {} bytes", text.len());
    });
    let mut next = document.lock().await;
    next.push_str(" second edit");
}

/// The body's only owned permit, logged, moved into a plain
/// `tokio::spawn` upload that drops it after 3 s; the body acquires again.
/// (Regression: a certain deadlock of the body while the test's runtime
/// was not noted for the task census.)
#[peeps::test(timeout = "60s")]
async fn owned_permit_into_tokio_spawn_then_reacquire() {
    let slots = Arc::new(Semaphore::new(1).named("t-slots"));
    let permit = slots.clone().acquire_owned().await.expect("never closed");
    println!("upload with {} permit", permit.num_permits());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        drop(permit);
    });
    let again = slots.acquire().await.expect("never closed");
    println!("next upload with {} permit", again.num_permits());
}
