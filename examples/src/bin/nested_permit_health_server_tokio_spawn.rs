//! Deadlock, with an unrelated plain task serving a second channel: two
//! request handlers (plain `tokio::spawn` of `async move` blocks, no peeps
//! annotation) each take a connection from the `db-conns` pool (a
//! `Semaphore` of 2), meet at a `Barrier` (two requests in flight at
//! once), then call a helper that takes a *second* connection from the
//! same exhausted pool while still holding the first. A plain
//! `tokio::spawn` health server answers `health` pings from a plain prober
//! on a timer, and never touches the pool. Multi-thread runtime.
//!
//! What docs/ownership.md promises: borrowed permits are bound to the task
//! that took them (proof, whatever the census says); the handlers are
//! plain tasks, each woken only by its wait: one certain deadlock of the two
//! handlers (`tokio task N`) on semaphore `db-conns`.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

async fn lookup_user(pool: &Semaphore, id: u32) -> String {
    let _conn = pool.acquire().await.expect("the pool is never closed");
    format!("user-{id}")
}

async fn handle(pool: Arc<Semaphore>, both: Arc<Barrier>, id: u32) {
    let _conn = pool.acquire().await.expect("the pool is never closed");
    both.wait().await;
    // The bug: a second connection while the first is still held.
    let user = lookup_user(&pool, id).await;
    println!("order {id} for {user}");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("nested_permit_health_server_tokio_spawn");
    let (health, mut pings) = mpsc::channel_named::<oneshot::Sender<&'static str>>("health", 4);
    tokio::spawn(async move {
        while let Some(reply) = pings.recv().await {
            let _ = reply.send("ok");
        }
    });
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (tx, rx) = oneshot::channel();
            if health.send(tx).await.is_err() || rx.await.is_err() {
                return;
            }
        }
    });
    let pool = Arc::new(Semaphore::new(2).named("db-conns"));
    let both = Arc::new(Barrier::new(2).named("in-flight"));
    for id in [1, 2] {
        tokio::spawn(handle(pool.clone(), both.clone(), id));
    }
    ready_when(|g| waiters(g, NodeKind::Semaphore, "db-conns") == 2);
    park().await
}
