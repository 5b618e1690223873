//! Healthy control: the `#[tokio::main]` body itself (no peeps annotation
//! at all) bounds concurrent uploads with owned permits of `uploads` (2):
//! for each job it takes a permit, logs `num_permits()`, and moves it into
//! a `JoinSet::spawn(async move { .. })` upload (slow: a timer) that drops
//! it. The third job's permit is awaited. Multi-thread runtime.
//!
//! Expected: no deadlock, nothing stuck forever: both permits are with the
//! uploads, on timers.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("permits_into_joinset_from_main");
    let uploads = Arc::new(Semaphore::new(2).named("uploads"));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "uploads", "acquire"));
    let mut set = JoinSet::new();
    for job in 0..3u32 {
        let permit = uploads.clone().acquire_owned().await.expect("never closed");
        println!("upload {job} with {} permit", permit.num_permits());
        set.spawn(async move {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            drop(permit);
            job
        });
    }
    while let Some(done) = set.join_next().await {
        println!("upload {done:?} done");
    }
}
