//! Healthy: an `ingest` task takes a permit of the `upstream` peeps
//! `Semaphore` (64 permits: a generous concurrency cap) and then, still
//! holding it, the `stats` mutex; a `reporter` task takes `stats` and,
//! still holding it, a permit of `upstream` (to push the report). The
//! orders are opposite, but only two tasks ever take `upstream` and it has
//! 64 permits: the reporter's acquire can never wait, so the orders can
//! never deadlock. Each holds both across a short sleep, every 50-70 ms,
//! forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever; at most
//! the potential deadlock through `upstream` with its condition said
//! ("has no permit left"): peeps cannot know how many tasks may take
//! `upstream` at once (more ingest tasks would make the inversion real),
//! as in `soak_db_permits_and_cache_lock`.

use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_permit_and_lock_opposite_orders_roomy_semaphore");
    let upstream = Arc::new(Semaphore::new(64).named("upstream"));
    let stats = Arc::new(Mutex::new(0u64).named("stats"));
    let (u, s) = (upstream.clone(), stats.clone());
    peeps::spawn_named("ingest", async move {
        loop {
            let _p = u.acquire().await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            *s.lock().await += 1;
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    let (u, s) = (upstream.clone(), stats.clone());
    peeps::spawn_named("reporter", async move {
        loop {
            {
                let mut n = s.lock().await;
                let _p = u.acquire().await.unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await; // push report
                *n = 0;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    examples::ready();
    examples::park().await;
}
