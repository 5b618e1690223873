//! A potential deadlock, never a deadlock: two rwlocks read in opposite
//! orders, both of them written now and then. No peeps annotation: plain
//! `tokio::spawn` of `async move` blocks, `#[tokio::main]`.
//!
//! A router reads `routes`, then `limits`; a limiter, later, reads
//! `limits`, then `routes`; a reloader writes `routes`, then, separately,
//! `limits` (a config reload, one lock at a time). Run at the same time
//! with both writers queued, the router (holding a read of `routes`)
//! waits behind the writer queued on `limits`, which waits for the
//! limiter's read, and the limiter waits behind the writer queued on
//! `routes`, which waits for the router's: tokio's rwlock is
//! write-preferring.
//!
//! Expected: no deadlock; exactly one potential deadlock naming `routes`
//! and `limits`, needing a writer queued on each.

use examples::{park, ready};
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;

type Table = Arc<RwLock<HashMap<&'static str, u64>>>;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("rwlock_reads_opposite_both_written_tokio_spawn");
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
        limits.write().await.insert("/api", 200);
    })
    .await
    .expect("the reloader");

    ready();
    park().await
}
