//! Healthy: two runtimes share a peeps `cache` mutex and a peeps `index`
//! `RwLock`, always taken cache first, then index. The main runtime's
//! `peeps::spawn_named` writers hold both across a 20 ms sleep; a second
//! current-thread runtime on a `std::thread` (`bg-runtime`) runs plain
//! `tokio::spawn` compactors that take cache, then a read of index, across
//! a 30 ms sleep; a `spawn_blocking` job on the main runtime takes them with
//! `blocking_lock` / `blocking_read` in the same order. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_two_runtimes_cache_then_index_one_order");
    let cache = Arc::new(Mutex::new(0u64).named("cache"));
    let index = Arc::new(RwLock::new(0u64).named("index"));
    let (c, i) = (cache.clone(), index.clone());
    std::thread::Builder::new()
        .name("bg-runtime".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                for k in 0..2u64 {
                    let (c, i) = (c.clone(), i.clone());
                    tokio::spawn(async move {
                        loop {
                            let g = c.lock().await;
                            let r = i.read().await;
                            tokio::time::sleep(Duration::from_millis(30)).await;
                            let _ = *g + *r + k;
                            drop(r);
                            drop(g);
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                    });
                }
                std::future::pending::<()>().await;
            });
        })
        .unwrap();
    for w in 0..2u64 {
        let (c, i) = (cache.clone(), index.clone());
        peeps::spawn_named("writer", async move {
            loop {
                let mut g = c.lock().await;
                let mut x = i.write().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                *g += w;
                *x += 1;
                drop(x);
                drop(g);
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        });
    }
    let (c, i) = (cache.clone(), index.clone());
    peeps::spawn_named("blocking-compactor", async move {
        loop {
            let (c, i) = (c.clone(), i.clone());
            tokio::task::spawn_blocking(move || {
                let g = c.blocking_lock();
                let r = i.blocking_read();
                std::thread::sleep(Duration::from_millis(10));
                *g + *r
            })
            .await
            .unwrap();
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    ready_when(|g| waiters(g, NodeKind::Mutex, "cache") >= 2);
    examples::park().await;
}
