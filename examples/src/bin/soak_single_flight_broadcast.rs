//! Healthy, under steady load: a single-flight cache loader. `inflight`
//! (a `peeps::sync::Mutex<HashMap<key, broadcast::Sender>>`) names the
//! fetch running for each key. A lookup takes the lock; if a fetch runs,
//! it subscribes and waits for its result; otherwise it makes a
//! `broadcast` channel named `fetch`, files a clone of the sender in the
//! map, fetches (an owned permit of `origin`, 2 permits, 300-600 ms),
//! removes the entry and sends the result. Eight clients (four
//! `peeps::spawn_named`, four plain `tokio::spawn`) look up 3 hot keys.
//! Multi-thread runtime.
//!
//! Followers wait on a `fetch` channel whose sender is with the leader
//! (fetching, on a timer) and in the map. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock (a receive is no
//! stall).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, broadcast};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Loader {
    inflight: Mutex<HashMap<u64, broadcast::Sender<Arc<String>>>>,
    origin: Arc<Semaphore>,
}

impl Loader {
    async fn get(&self, key: u64) -> Arc<String> {
        let mut map = self.inflight.lock().await;
        if let Some(tx) = map.get(&key) {
            let mut rx = tx.subscribe();
            drop(map);
            match rx.recv().await {
                Ok(v) => return v,
                Err(_) => return Arc::new(String::new()),
            }
        }
        let (tx, _) = broadcast::channel_named("fetch", 1);
        map.insert(key, tx.clone());
        drop(map);
        let value = {
            let _conn = self
                .origin
                .clone()
                .acquire_owned()
                .await
                .expect("never closed");
            tokio::time::sleep(Duration::from_millis(300 + (key * 113) % 300)).await;
            Arc::new(format!("value-{key}"))
        };
        self.inflight.lock().await.remove(&key);
        let _ = tx.send(value.clone());
        value
    }
}

async fn client(loader: Arc<Loader>, who: u64, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        let v = loader.get((n + who) % 3).await;
        std::hint::black_box(v.len());
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_single_flight_broadcast");
    let loader = Arc::new(Loader {
        inflight: Mutex::new(HashMap::new()).named("inflight"),
        origin: Arc::new(Semaphore::new(2).named("origin")),
    });
    let served = Arc::new(AtomicU64::new(0));
    for who in 1..=4 {
        peeps::spawn_named(
            format!("client-{who}"),
            client(loader.clone(), who, served.clone()),
        );
        tokio::spawn(client(loader.clone(), who + 4, served.clone()));
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 12 && waited_on(g, NodeKind::Channel, "fetch")
    });
    examples::park().await
}
