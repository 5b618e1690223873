//! Healthy control: a `Mutex<HashMap>` cache whose misses drop the guard
//! before fetching, then lock again to insert.
//!
//! `lookup` checks the cache in an `if let` whose scrutinee locks it
//! (edition 2024: the guard is dropped before the `else` block), and on
//! a miss asks the `backend` actor over `fetches` with a oneshot reply,
//! then locks again to insert. The backend is slow (an hour per fetch).
//! Three lookups of cold keys wait on their replies; a fourth, of a warm
//! key, is served from the cache.
//!
//! Expected: no deadlock, no potential deadlock.

use examples::{holders, park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Cache = Arc<Mutex<HashMap<String, u64>>>;

struct Fetch {
    key: String,
    reply: oneshot::Sender<u64>,
}

#[peeps::instrument]
async fn lookup(cache: Cache, backend: mpsc::Sender<Fetch>, key: String) -> Option<u64> {
    let value = if let Some(hit) = cache.lock().await.get(&key) {
        *hit
    } else {
        let (reply, fetched) = oneshot::channel_named(format!("fetch-{key}"));
        backend
            .send(Fetch {
                key: key.clone(),
                reply,
            })
            .await
            .ok()?;
        let value = fetched.await.ok()?;
        cache.lock().await.insert(key, value);
        value
    };
    Some(value)
}

#[peeps::instrument]
async fn serve_fetches(mut fetches: mpsc::Receiver<Fetch>) {
    while let Some(fetch) = fetches.recv().await {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let _ = fetch.reply.send(fetch.key.len() as u64);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("cache_miss_relock_if_let");
    let cache: Cache = Arc::new(Mutex::new(HashMap::from([("warm".to_owned(), 1)])).named("cache"));
    let (backend, fetches) = mpsc::channel_named("fetches", 8);
    peeps::spawn_named("backend", serve_fetches(fetches));
    for key in ["alpha", "beta", "gamma", "warm"] {
        peeps::spawn_named(
            format!("lookup-{key}"),
            lookup(cache.clone(), backend.clone(), key.to_owned()),
        );
    }

    ready_when(|g| {
        ["fetch-alpha", "fetch-beta", "fetch-gamma"]
            .iter()
            .all(|reply| waited_on_for(g, NodeKind::Channel, reply, "recv"))
            && holders(g, NodeKind::Mutex, "cache").is_empty()
    });
    park().await
}
