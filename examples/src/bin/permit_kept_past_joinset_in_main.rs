//! Deadlock: the twin of `permits_into_joinset_from_main` that keeps the
//! permit. The `#[tokio::main]` body (no peeps annotation at all) takes the
//! only owned permit of `uploads`, logs `num_permits()`, spawns the job
//! into a `JoinSet` with only its number, joins it (it finishes), and takes
//! a permit again for the next job while the first is still in its hands.
//! Multi-thread runtime; no other task is alive.
//!
//! Expected: a deadlock of `main`'s thread with itself on `uploads`, held
//! by `main` (the only place the permit can be).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use tokio::task::JoinSet;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permit_kept_past_joinset_in_main");
    let uploads = Arc::new(Semaphore::new(1).named("uploads"));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "uploads", "acquire"));
    let mut set = JoinSet::new();
    let first = uploads.clone().acquire_owned().await.expect("never closed");
    println!("upload 0 with {} permit", first.num_permits());
    set.spawn(async move { 0u32 });
    while let Some(done) = set.join_next().await {
        println!("upload {done:?} done");
    }
    // The bug: `first` should have gone with the job; it is still held here.
    let second = uploads.clone().acquire_owned().await.expect("never closed");
    println!("upload 1 with {} permit", second.num_permits());
    drop(first);
}
