//! Healthy, under steady load: a single-flight loader keeping a list of
//! waiters per key, `inflight` (a `std::sync::Mutex<HashMap<key,
//! Vec<oneshot::Sender>>>`). A follower makes a `oneshot` named `loaded`,
//! pushes its sender on the key's list and awaits the receiver; a leader
//! (the first for the key) fetches under an owned permit of `origin` (1
//! permit, 300-600 ms), takes the list out of the map and answers every
//! waiter. Six clients (three `peeps::spawn_named`, three plain
//! `tokio::spawn`) look up 2 hot keys. Multi-thread runtime.
//!
//! A follower's sender is on the heap (the list); the bytes it was moved
//! out of may stay in the follower's state. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock; waits on
//! `loaded`, if long, say why their sender is unplaced.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

type Waiters = HashMap<u64, Vec<oneshot::Sender<Arc<String>>>>;

struct Loader {
    inflight: std::sync::Mutex<Waiters>,
    origin: Arc<Semaphore>,
}

impl Loader {
    async fn get(&self, key: u64) -> Arc<String> {
        let rx = {
            let mut map = self.inflight.lock().expect("not poisoned");
            match map.get_mut(&key) {
                Some(waiters) => {
                    let (tx, rx) = oneshot::channel_named("loaded");
                    waiters.push(tx);
                    Some(rx)
                }
                None => {
                    map.insert(key, Vec::new());
                    None
                }
            }
        };
        if let Some(rx) = rx {
            return rx.await.unwrap_or_default();
        }
        let value = {
            let _conn = self
                .origin
                .clone()
                .acquire_owned()
                .await
                .expect("never closed");
            tokio::time::sleep(Duration::from_millis(300 + (key * 171) % 300)).await;
            Arc::new(format!("value-{key}"))
        };
        let waiters = self
            .inflight
            .lock()
            .expect("not poisoned")
            .remove(&key)
            .unwrap_or_default();
        for w in waiters {
            let _ = w.send(value.clone());
        }
        value
    }
}

async fn client(loader: Arc<Loader>, who: u64, served: Arc<AtomicU64>) {
    for n in 0u64.. {
        let v = loader.get((n + who) % 2).await;
        std::hint::black_box(v.len());
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_single_flight_oneshot_waiters");
    let loader = Arc::new(Loader {
        inflight: std::sync::Mutex::new(HashMap::new()),
        origin: Arc::new(Semaphore::new(1).named("origin")),
    });
    let served = Arc::new(AtomicU64::new(0));
    for who in 1..=3 {
        peeps::spawn_named(
            format!("client-{who}"),
            client(loader.clone(), who, served.clone()),
        );
        tokio::spawn(client(loader.clone(), who + 3, served.clone()));
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 12
            && waited_on_for(g, NodeKind::Channel, "loaded", "recv")
    });
    examples::park().await
}
