//! HANG: as `spawn_blocking_block_on_relocks_index`, but the sync
//! code inside `spawn_blocking` drives the lock with
//! `futures::executor::block_on` (a common sync-over-async bridge in
//! libraries without a runtime handle): a `renderer` peeps task holds the
//! `glyph-cache` mutex and awaits a `spawn_blocking` rasteriser that
//! calls `futures::executor::block_on(cache.lock())`.
//!
//! Expected: a deadlock of the `renderer` (joining the blocking task)
//! and the rasteriser thread (waiting on `glyph-cache`, held by the
//! renderer); `main` behind.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("spawn_blocking_futures_block_on_relocks_cache");
    let cache = Arc::new(Mutex::new(vec![0u8; 64]).named("glyph-cache"));
    let c = cache.clone();
    let renderer = peeps::spawn_named("renderer", async move {
        let mut glyphs = c.lock().await;
        let c2 = c.clone();
        let bitmap = tokio::task::spawn_blocking(move || {
            let cached = futures::executor::block_on(c2.lock());
            cached.len()
        })
        .await
        .unwrap();
        glyphs.push(bitmap as u8);
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "glyph-cache") == 1);
    renderer.await.unwrap();
}
