//! Healthy control: bounding concurrency with owned semaphore permits, the
//! pattern tokio's documentation gives for `Semaphore::acquire_owned`.
//!
//! `acceptor` takes an owned permit of `handler-slots` (4 permits) for each
//! incoming job and moves it into the `handler` task it spawns, which
//! drops it when done. The handlers are slow (an hour-long sleep standing
//! in for a slow backend), so the fifth job waits for a permit. Nothing
//! is deadlocked: each handler will finish on its own and free its permit.
//!
//! Each owned permit moves into the `handler` task at spawn, where peeps
//! finds it in the spawned future (evidence `spawned`): the handlers hold
//! the permits, and each sleeps on a timer, so the acceptor's wait is a
//! stall, not a deadlock. (Attributed to `acceptor`, as it was before peeps
//! followed moves, the permits made this a probable deadlock of `acceptor`
//! with itself: a false alarm.)
//!
//! Expected: no deadlock; with a low `--long-wait-ms`, a long wait of
//! `acceptor` on semaphore `handler-slots`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn handle(job: u32) -> u32 {
    // A slow backend.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    job * 2
}

#[peeps::instrument]
async fn accept(slots: Arc<Semaphore>) {
    for job in 0.. {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        peeps::spawn_named("handler", async move {
            handle(job).await;
            drop(permit);
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permits_moved_to_workers");
    let slots = Arc::new(Semaphore::new(4).named("handler-slots"));
    peeps::spawn_named("acceptor", accept(slots));

    ready_when(|g| waited_on(g, NodeKind::Semaphore, "handler-slots"));
    park().await
}
