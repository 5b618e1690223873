//! Healthy control: plain (uninstrumented) async blocks in a
//! `FuturesUnordered`, one holding a permit across a timer and one waiting
//! for that permit.
//!
//! `loader` runs two jobs as plain `async` blocks in a `FuturesUnordered`
//! over `db-pool` (1 permit): the first takes the permit and sleeps for an
//! hour, the second waits for the permit. The wait is released by the
//! task itself once the sleep ends.
//!
//! The blocks have no node of their own: `FuturesUnordered` polls them
//! with its own wakers, and peeps cannot count what those wakers are held
//! by, so the task stays one that may still wake (a deadlock among such
//! blocks would be missed, never a healthy program called deadlocked).
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{FuturesUnordered, StreamExt};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

#[peeps::instrument]
async fn load_all(pool: Arc<Semaphore>) {
    let slow = pool.clone();
    let jobs: Vec<BoxFuture<'static, &'static str>> = vec![
        async move {
            let _conn = slow.acquire().await.expect("the pool is never closed");
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "slow"
        }
        .boxed(),
        async move {
            let _conn = pool.acquire().await.expect("the pool is never closed");
            "quick"
        }
        .boxed(),
    ];
    let mut jobs: FuturesUnordered<_> = jobs.into_iter().collect();
    while let Some(job) = jobs.next().await {
        println!("{job} done");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("futures_unordered_plain_blocks");
    let pool = Arc::new(Semaphore::new(1).named("db-pool"));
    peeps::spawn_named("loader", load_all(pool));

    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-pool") == 1);
    park().await
}
