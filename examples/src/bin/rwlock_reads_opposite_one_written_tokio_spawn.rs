//! Healthy control: two rwlocks read in opposite orders, only one of
//! them ever written. No peeps annotation: plain `tokio::spawn` of
//! `async move` blocks, `#[tokio::main]`.
//!
//! A router reads `routes`, then `limits`; a limiter, later, reads
//! `limits`, then `routes`; a reloader writes `routes` (a config reload),
//! alone. `limits` is never written. Two readers never wait for each
//! other, and a read waits only behind a queued writer: the limiter,
//! holding `limits` and reading `routes`, can queue behind the reloader,
//! but the reloader waits only for `routes`' readers, and the router,
//! holding `routes`, reads `limits`, which no writer ever queues on.
//!
//! Expected: no deadlock, no potential deadlock (the cycle needs writers
//! on both rwlocks, docs/lock-order.md "Reads and writers").

use examples::{park, ready};
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

type Table = Arc<RwLock<HashMap<&'static str, u64>>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_reads_opposite_one_written_tokio_spawn");
    let routes: Table = Arc::new(RwLock::new(HashMap::from([("/api", 1)])).named("routes"));
    let limits: Table = Arc::new(RwLock::new(HashMap::from([("/api", 100)])).named("limits"));

    let (r, l) = (routes.clone(), limits.clone());
    tokio::spawn(async move {
        for _ in 0..3 {
            let table = r.read().await;
            let limit = l.read().await.get("/api").copied();
            println!("route {:?} limited to {limit:?}", table.get("/api"));
        }
    })
    .await
    .expect("the router");

    let (r, l) = (routes.clone(), limits.clone());
    tokio::spawn(async move {
        for _ in 0..3 {
            let table = l.read().await;
            let route = r.read().await.get("/api").copied();
            println!("limit {:?} for route {route:?}", table.get("/api"));
        }
    })
    .await
    .expect("the limiter");

    tokio::spawn(async move {
        routes.write().await.insert("/api", 2);
    })
    .await
    .expect("the reloader");
    drop(limits);

    ready();
    park().await
}
