//! Healthy control: a cache `RwLock<HashMap>` read by several tasks while
//! a writer waits for them.
//!
//! Two `reader` tasks hold a read guard of `routes` across a slow lookup
//! (a timer, an hour here) that the cache entry points them to. The
//! `refresher` waits to write a new table; a third reader, come later,
//! queues behind the writer (tokio's rwlock is write-preferring). Every
//! wait ends when the slow readers finish.
//!
//! Expected: no deadlock, nothing stuck forever.

use examples::{holders, park, ready_when, waited_on_for};
use peeps::graph::{NodeKind, Snapshot};
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Routes = Arc<RwLock<HashMap<&'static str, &'static str>>>;

#[peeps::instrument]
async fn route(routes: Routes, path: &'static str) {
    let table = routes.read().await;
    let backend = table.get(path).copied().unwrap_or("default");
    // A slow call to the backend, the guard still held.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    println!("{path} -> {backend}");
}

#[peeps::instrument]
async fn refresh(routes: Routes) {
    routes.write().await.insert("/api", "api-v2");
}

/// Returns once `cond` holds for this process's graph.
async fn until(cond: impl Fn(&Snapshot) -> bool) {
    while !cond(&peeps::snapshot()) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("cache_readers_writer");
    let table = HashMap::from([("/api", "api-v1"), ("/static", "cdn")]);
    let routes: Routes = Arc::new(RwLock::new(table).named("routes"));
    // The order the scenario is about, made certain by looking at the
    // graph: both readers in, then the writer queued, then a third reader.
    peeps::spawn_named("reader-1", route(routes.clone(), "/api"));
    peeps::spawn_named("reader-2", route(routes.clone(), "/static"));
    until(|g| holders(g, NodeKind::Rwlock, "routes").len() == 2).await;
    peeps::spawn_named("refresher", refresh(routes.clone()));
    until(|g| waited_on_for(g, NodeKind::Rwlock, "routes", "write")).await;
    peeps::spawn_named("reader-3", route(routes, "/api"));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "routes", "write")
            && waited_on_for(g, NodeKind::Rwlock, "routes", "read")
    });
    park().await
}
