//! Healthy: plain `tokio::spawn` request handlers call a sync legacy
//! function inside `tokio::task::block_in_place`, which takes the peeps
//! `config` `RwLock` for reading through `Handle::current().block_on`, and
//! then locks `metrics` (a peeps mutex) the same way. A `reloader`
//! (`peeps::spawn_named`) write-locks `config` for 400 ms every 600 ms (a
//! sleep under the guard), then locks `metrics`. One order everywhere
//! (config, then metrics). Forever (multi-thread runtime, 4 workers).
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, RwLock};
use std::sync::Arc;
use std::time::Duration;

fn legacy_handle(config: &RwLock<u64>, metrics: &Mutex<u64>, req: u64) -> u64 {
    let rt = tokio::runtime::Handle::current();
    let c = rt.block_on(config.read());
    let v = *c + req;
    let mut m = rt.block_on(metrics.lock());
    *m += 1;
    drop(m);
    drop(c);
    v
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_block_on_lock_held_by_sleeper_plain");
    let config = Arc::new(RwLock::new(1u64).named("config"));
    let metrics = Arc::new(Mutex::new(0u64).named("metrics"));
    let (c, m) = (config.clone(), metrics.clone());
    peeps::spawn_named("reloader", async move {
        loop {
            {
                let mut g = c.write().await;
                tokio::time::sleep(Duration::from_millis(400)).await;
                *g += 1;
                *m.lock().await += 1;
            }
            tokio::time::sleep(Duration::from_millis(600)).await;
        }
    });
    for h in 0..2u64 {
        let (c, m) = (config.clone(), metrics.clone());
        tokio::spawn(async move {
            let mut req = h;
            loop {
                let v = tokio::task::block_in_place(|| legacy_handle(&c, &m, req));
                req = req.wrapping_add(v % 7 + 1);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
    }
    ready_when(|g| waited_on(g, NodeKind::Rwlock, "config"));
    examples::park().await;
}
