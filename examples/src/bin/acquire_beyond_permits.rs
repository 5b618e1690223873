//! A configuration bug, not a deadlock: a batch job asks a semaphore for
//! more permits than it was made with.
//!
//! `exporter` sends batches of 8 through a limiter made with 5 permits
//! (`acquire_many(8)`), and nobody ever adds permits: it waits forever,
//! though no permit is held. No task holds what it needs, so there is no
//! cycle; the wait is long, and its words say why: every permit is free,
//! it asks for more than the semaphore has in all, and only `add_permits`
//! could change that.
//!
//! Expected: no deadlock; a long wait of `exporter` on `export-limit`
//! saying that only `add_permits` can let it through.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;

const BATCH: u32 = 8;

#[peeps::instrument]
async fn export(limit: Arc<Semaphore>) {
    loop {
        let _permits = limit
            .acquire_many(BATCH)
            .await
            .expect("the limiter stays open");
        println!("exported a batch of {BATCH}");
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("acquire_beyond_permits");
    let limit = Arc::new(Semaphore::new(5).named("export-limit"));
    peeps::spawn_named("exporter", export(limit.clone()));
    ready_when(|g| waited_on_for(g, NodeKind::Semaphore, "export-limit", "acquire"));
    park().await
}
