//! Healthy, under steady load: a user-session cache done by the book,
//! `Arc<RwLock<HashMap<u64, Arc<RwLock<Session>>>>>`. `get_or_load` reads
//! the map and clones the entry's `Arc` out (the map's read guard gone at
//! the end of the statement); on a miss it loads the session outside any
//! lock (a 5-15 ms sleep), then takes the map's write lock and re-checks
//! with `entry(..).or_insert_with(..)` (another task may have won the
//! race). Twelve plain request tasks look up sessions every 3-14 ms and
//! update them under the session's own write lock, never holding the
//! map's lock at the same time; a plain refresher walks a snapshot of the
//! `Arc`s (cloned under the map's read, then let go) and write-locks each
//! session in turn; a plain evictor write-locks the map every 60 ms to
//! drop a third of it. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Default)]
struct Session {
    user: u64,
    hits: u64,
    refreshed: u64,
}

type Sessions = Arc<RwLock<HashMap<u64, Arc<RwLock<Session>>>>>;

async fn get_or_load(cache: &Sessions, user: u64, loads: &AtomicU64) -> Arc<RwLock<Session>> {
    if let Some(s) = cache.read().await.get(&user).cloned() {
        return s;
    }
    // Load outside any lock.
    tokio::time::sleep(Duration::from_millis(5 + user % 3 * 5)).await;
    loads.fetch_add(1, Ordering::Relaxed);
    let loaded = Session {
        user,
        ..Session::default()
    };
    let mut map = cache.write().await;
    map.entry(user)
        .or_insert_with(|| Arc::new(RwLock::new(loaded)))
        .clone()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_rwlock_map_read_miss_write_recheck_plain");
    let cache: Sessions = Arc::new(RwLock::new(HashMap::new()));
    let loads = Arc::new(AtomicU64::new(0));
    let requests = Arc::new(AtomicU64::new(0));

    for r in 0..12u64 {
        let (cache, loads, requests) = (cache.clone(), loads.clone(), requests.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(3 + r)).await;
                let user = (n * 7 + r) % 30;
                let session = get_or_load(&cache, user, &loads).await;
                let mut s = session.write().await;
                s.hits += 1;
                assert_eq!(s.user, user);
                drop(s);
                requests.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    let c = cache.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(25)).await;
            let all: Vec<Arc<RwLock<Session>>> = c.read().await.values().cloned().collect();
            for s in all {
                let mut s = s.write().await;
                s.refreshed += 1;
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });

    let c = cache.clone();
    tokio::spawn(async move {
        for round in 0u64.. {
            tokio::time::sleep(Duration::from_millis(60)).await;
            c.write()
                .await
                .retain(|user, _| !(user + round).is_multiple_of(3));
        }
    });

    ready_when(move |_| {
        loads.load(Ordering::Relaxed) >= 40 && requests.load(Ordering::Relaxed) >= 200
    });
    park().await
}
