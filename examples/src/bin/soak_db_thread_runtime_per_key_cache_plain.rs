//! Healthy: a read-through cache in front of a "database" thread. A
//! `std::thread` builds its own current-thread runtime
//! (`Builder::new_current_thread()`) and `block_on`s a loop receiving
//! lookups on an `mpsc` (capacity 32) from the main runtime, each with a
//! `oneshot` reply sender, answering after 10-60 ms. The cache is a
//! `Mutex<HashMap<u32, Arc<Mutex<Option<u64>>>>>`: a lookup locks the map,
//! clones (or inserts) the key's entry, drops the map's guard, then locks
//! the entry and, on a miss, asks the thread holding the entry's lock (one
//! load per key). Six plain request tasks look up keys every 5-25 ms; a
//! plain evictor clears the map every 300 ms. `main` awaits the request
//! tasks' `JoinHandle`s in order.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{ready_when, wait_once_seen};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Entry = Arc<Mutex<Option<u64>>>;
type Cache = Arc<Mutex<HashMap<u32, Entry>>>;

async fn get(cache: &Cache, db: &mpsc::Sender<(u32, oneshot::Sender<u64>)>, key: u32) -> u64 {
    let entry = {
        let mut map = cache.lock().await;
        map.entry(key).or_default().clone()
    };
    let mut value = entry.lock().await;
    if let Some(v) = *value {
        return v;
    }
    let (reply, answer) = oneshot::channel();
    db.send((key, reply)).await.expect("db thread alive");
    let v = answer.await.expect("db answers");
    *value = Some(v);
    v
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_db_thread_runtime_per_key_cache_plain");
    let (db, mut lookups) = mpsc::channel::<(u32, oneshot::Sender<u64>)>(32);
    std::thread::Builder::new()
        .name("db".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("db runtime");
            rt.block_on(async move {
                while let Some((key, reply)) = lookups.recv().await {
                    tokio::time::sleep(Duration::from_millis(10 + u64::from(key * 13) % 50)).await;
                    let _ = reply.send(u64::from(key) * 100);
                }
            });
        })
        .expect("db thread");

    let cache: Cache = Arc::new(Mutex::new(HashMap::new()));
    wait_once_seen("boot").await;
    let evict = cache.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            evict.lock().await.clear();
        }
    });
    let mut handles = Vec::new();
    for t in 0..6u32 {
        let (cache, db) = (cache.clone(), db.clone());
        handles.push(tokio::spawn(async move {
            let mut sum = 0u64;
            for n in 0u32.. {
                sum = sum.wrapping_add(get(&cache, &db, (n * 7 + t) % 9).await);
                tokio::time::sleep(Duration::from_millis(5 + u64::from((n + t) % 5) * 5)).await;
            }
            sum
        }));
    }
    drop(db);
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("join"))
    });
    for h in handles {
        println!("{}", h.await.expect("request task"));
    }
}
