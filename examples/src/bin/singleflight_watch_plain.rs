//! Healthy control: request coalescing ("singleflight"). No peeps
//! annotation at all: plain `tokio::spawn` of `async move` blocks.
//!
//! A `Mutex<HashMap>` of flights in progress: the first caller for a key
//! files a `watch` receiver, releases the map and fetches (slowly: a
//! timer); later callers for the key clone the receiver under the map's
//! lock, release it, and await `changed()` until the first caller
//! publishes the value.
//!
//! Expected: no deadlock, no potential deadlock: the fetcher is on a
//! timer, the two followers wait on watch `flight-avatar`.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

type Flights = Arc<Mutex<HashMap<String, watch::Receiver<Option<String>>>>>;

async fn fetch_coalesced(flights: Flights, key: &str) -> String {
    let mut map = flights.lock().await;
    if let Some(flight) = map.get(key) {
        let mut flight = flight.clone();
        drop(map);
        loop {
            if let Some(value) = flight.borrow_and_update().clone() {
                return value;
            }
            if flight.changed().await.is_err() {
                return String::new();
            }
        }
    }
    let (publish, flight) = watch::channel_named(format!("flight-{key}"), None);
    map.insert(key.to_string(), flight);
    drop(map);
    tokio::time::sleep(Duration::from_secs(3600)).await;
    let value = format!("{key}-bytes");
    let _ = publish.send(Some(value.clone()));
    flights.lock().await.remove(key);
    value
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("singleflight_watch_plain");
    let flights: Flights = Arc::new(Mutex::new(HashMap::new()).named("flights"));
    for caller in 0..3 {
        let flights = flights.clone();
        tokio::spawn(async move {
            let value = fetch_coalesced(flights, "avatar").await;
            println!("caller {caller}: {value}");
        });
    }

    ready_when(|g| waiters(g, NodeKind::Channel, "flight-avatar") == 2);
    park().await
}
