//! Deadlock: two tasks take permits of two semaphores in opposite order.
//!
//! `import` takes a `db-pool` permit, then an `upload-slots` permit;
//! `export` takes `upload-slots`, then `db-pool`. Each semaphore has one
//! permit. A barrier makes the bad interleaving certain.
//!
//! Expected: one `certain` deadlock of `import` and `export` over
//! semaphores `db-pool` and `upload-slots`. The permits are borrowed
//! (`acquire`, not `acquire_owned`) and held by the task that took them, so
//! every edge is certain.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Barrier, Semaphore};
use std::sync::Arc;

#[peeps::instrument]
async fn with_both(first: Arc<Semaphore>, second: Arc<Semaphore>, started: Arc<Barrier>) {
    let _first = first.acquire().await.expect("never closed");
    started.wait().await;
    let _second = second.acquire().await.expect("never closed");
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("semaphore_cycle");
    let db_pool = Arc::new(Semaphore::new(1).named("db-pool"));
    let upload_slots = Arc::new(Semaphore::new(1).named("upload-slots"));
    let started = Arc::new(Barrier::new(2).named("both-started"));

    peeps::spawn_named(
        "import",
        with_both(db_pool.clone(), upload_slots.clone(), started.clone()),
    );
    peeps::spawn_named("export", with_both(upload_slots, db_pool, started));

    ready_when(|g| {
        waited_on(g, NodeKind::Semaphore, "db-pool")
            && waited_on(g, NodeKind::Semaphore, "upload-slots")
    });
    park().await
}
