//! Healthy control: a rate limiter whose tokens are a semaphore's permits,
//! spent with `forget()` and put back by a refill task on a timer.
//!
//! `rate-limit` starts with two tokens. Four `client` tasks each take a
//! token per request and forget the permit (a token is spent, not
//! returned). `refill` adds two tokens every hour. After the first two
//! requests every client waits for a token: no task holds a permit, and
//! the refill task, asleep, will add some.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::time::Duration;

/// Tokens per refill (and at the start).
const BURST: usize = 2;

#[peeps::instrument]
async fn request(id: usize, limiter: Arc<Semaphore>) {
    for n in 0.. {
        limiter.acquire().await.expect("never closed").forget();
        println!("client {id} sent request {n}");
    }
}

#[peeps::instrument]
async fn refill(limiter: Arc<Semaphore>) {
    loop {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        limiter.add_permits(BURST);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rate_limiter_refill");
    let limiter = Arc::new(Semaphore::new(BURST).named("rate-limit"));
    peeps::spawn_named("refill", refill(limiter.clone()));
    for id in 1..=4 {
        peeps::spawn_named(format!("client-{id}"), request(id, limiter.clone()));
    }

    ready_when(|g| waiters(g, NodeKind::Semaphore, "rate-limit") == 4);
    park().await
}
