//! Healthy: `flusher` takes `buffer` then `stats`; `sampler` takes
//! `stats` then only *tries* `buffer` (`try_lock`, skipping the sample
//! when the buffer is busy) — the usual way to break an inversion. The
//! try can never wait, so the orders can never deadlock. Each holds its
//! locks across a short sleep, forever. A `maintenance` task also takes
//! `index` then `cache`, and later, sequentially in the same task,
//! `cache` then `index` (no other task takes both).
//!
//! Expected: in every dump, no deadlock, nothing stuck forever; no
//! potential deadlock through the `try_lock` (it cannot wait); at most
//! the `maintenance` task's own two orders, as lockdep says them (two
//! tasks running that code at once could deadlock: see
//! `soak_one_task_both_orders`).

use peeps::sync::Mutex;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_opposite_orders_second_is_try_lock");
    let buffer = Arc::new(Mutex::new(Vec::<u64>::new()).named("buffer"));
    let stats = Arc::new(Mutex::new(0u64).named("stats"));
    let (b, s) = (buffer.clone(), stats.clone());
    peeps::spawn_named("flusher", async move {
        loop {
            {
                let mut b = b.lock().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                *s.lock().await += b.len() as u64;
                b.clear();
            }
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
    });
    let (b, s) = (buffer.clone(), stats.clone());
    peeps::spawn_named("sampler", async move {
        loop {
            {
                let n = s.lock().await;
                tokio::time::sleep(Duration::from_millis(10)).await;
                if let Ok(mut b) = b.try_lock() {
                    b.push(*n);
                }
            }
            tokio::time::sleep(Duration::from_millis(12)).await;
        }
    });
    let index = Arc::new(Mutex::new(0u64).named("index"));
    let cache = Arc::new(Mutex::new(0u64).named("cache"));
    peeps::spawn_named("maintenance", async move {
        loop {
            {
                let mut i = index.lock().await;
                let mut c = cache.lock().await;
                *i += 1;
                *c = *i;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            {
                let c = cache.lock().await;
                let mut i = index.lock().await;
                *i = *c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    examples::ready();
    examples::park().await;
}
