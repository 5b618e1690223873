//! Healthy, under steady load, written with peeps' own spawns, on a
//! current-thread runtime: a dispatcher over a sharded pending map (a
//! hand-rolled `DashMap`: four `peeps::sync::Mutex<HashMap<u64, Sender>>`
//! shards named `pending-0`..`pending-3`, picked by id). Four clients
//! (`peeps::spawn_named("client-N")`) each, in a loop, send a `Request`
//! (an id, a 32-byte body and a `oneshot` reply sender named `reply`) into
//! `requests` and await the reply. `dispatcher` runs a `tokio::select!`
//! loop over `requests` and `completions`: a request's reply sender is
//! filed in its shard (`lock().await`) and a `backend-call` task is
//! spawned that answers on `completions` after 100-1500 ms; a completion
//! takes the sender out of its shard and answers. Every task is peeps':
//! the census counts none unseen.
//!
//! Each reply sender is on the heap (a shard), not with the dispatcher:
//! the request's bytes it was moved out of may stay in the dispatcher's
//! state. Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock, and no long wait (a wait on `reply` is a receive).

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Request {
    id: u64,
    body: [u8; 32],
    reply: oneshot::Sender<u64>,
}

type Shards = Arc<Vec<Mutex<HashMap<u64, oneshot::Sender<u64>>>>>;

fn shard_of(shards: &Shards, id: u64) -> &Mutex<HashMap<u64, oneshot::Sender<u64>>> {
    &shards[(id % shards.len() as u64) as usize]
}

#[peeps::instrument]
async fn call_backend(id: u64, sum: u64, completions: mpsc::Sender<(u64, u64)>) {
    tokio::time::sleep(Duration::from_millis(100 + (id * 397) % 1400)).await;
    let _ = completions.send((id, sum)).await;
}

#[peeps::instrument]
async fn dispatch(mut requests: mpsc::Receiver<Request>, shards: Shards) {
    let (completions, mut completed) = mpsc::channel_named("completions", 16);
    loop {
        tokio::select! {
            req = requests.recv() => {
                let Some(req) = req else { return };
                let sum: u64 = req.body.iter().map(|b| u64::from(*b)).sum();
                shard_of(&shards, req.id).lock().await.insert(req.id, req.reply);
                peeps::spawn_named("backend-call", call_backend(req.id, sum, completions.clone()));
            }
            done = completed.recv() => {
                let Some((id, sum)) = done else { return };
                let reply = shard_of(&shards, id).lock().await.remove(&id);
                if let Some(reply) = reply {
                    let _ = reply.send(sum);
                }
            }
        }
    }
}

#[peeps::instrument]
async fn client(requests: mpsc::Sender<Request>, next: Arc<AtomicU64>, answered: Arc<AtomicU64>) {
    loop {
        let id = next.fetch_add(1, Ordering::Relaxed);
        let (reply, answer) = oneshot::channel_named("reply");
        let req = Request {
            id,
            body: [1; 32],
            reply,
        };
        if requests.send(req).await.is_err() {
            return;
        }
        match answer.await {
            Ok(sum) => assert_eq!(sum, 32),
            Err(_) => return,
        }
        answered.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    peeps::install_sigusr1("soak_mux_sharded_async_current_thread");
    let shards: Shards = Arc::new(
        ["pending-0", "pending-1", "pending-2", "pending-3"]
            .into_iter()
            .map(|name| Mutex::new(HashMap::new()).named(name))
            .collect(),
    );
    let (requests, requests_rx) = mpsc::channel_named("requests", 8);
    peeps::spawn_named("dispatcher", dispatch(requests_rx, shards));
    let next = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    for name in ["client-1", "client-2", "client-3", "client-4"] {
        peeps::spawn_named(
            name,
            client(requests.clone(), next.clone(), answered.clone()),
        );
    }
    drop(requests);
    let seen = answered.clone();
    ready_when(move |g| {
        seen.load(Ordering::Relaxed) >= 4 && waited_on_for(g, NodeKind::Channel, "reply", "recv")
    });
    examples::park().await
}
