//! Healthy control: bounding concurrency with owned semaphore permits, the
//! pattern tokio's documentation gives for `Semaphore::acquire_owned`.
//!
//! `acceptor` takes an owned permit of `handler-slots` (4 permits) for each
//! incoming job and moves it into the `handler` task it spawns, which
//! drops it when done. The handlers are slow (an hour-long sleep standing
//! in for a slow backend), so the fifth job waits for a permit. Nothing
//! is deadlocked: each handler will finish on its own and free its permit.
//!
//! An owned permit's move to another task is invisible to peeps: it
//! records the acquiring task (`acceptor`) as the holder. That attribution is unconfirmed, so
//! the analysis does not count it as a releaser (it used to, and called
//! this a probable deadlock: a false alarm).
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
