//! Healthy, idle after a crash and a restart: a supervisor that restarts
//! a crashed actor with a fresh inbox and swaps the new sender into an
//! `Arc<RwLock<mpsc::Sender>>` the clients clone from per call. Every
//! task is `peeps::spawn_named`.
//!
//! The `supervisor` makes an inbox, spawns `kv-actor` on its receiver,
//! writes the sender into `current-inbox` (a `peeps::sync::RwLock`) and
//! awaits the actor's `JoinHandle`; when the actor panics (a malformed
//! request: key 13) it loops and starts the next generation. Clients
//! clone the sender out of `current-inbox` for each call, send a `Get`
//! with a `oneshot` reply and retry on a dropped reply. After a burst of
//! calls, one of which crashes the actor, the clients make their next
//! call after 10 minutes: the new actor waits on its inbox meanwhile (the
//! crashing key is the last of a burst, retried twice: each retry crashes
//! the next generation, and nobody has called the last one yet).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (The new inbox's sender is in `current-inbox`,
//! where every client reaches it.)

use examples::{park, ready_when};
use peeps::sync::{RwLock, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Get {
    key: u64,
    reply: oneshot::Sender<u64>,
}

type Inbox = Arc<RwLock<mpsc::Sender<Get>>>;

async fn kv_actor(mut inbox: mpsc::Receiver<Get>) {
    let mut store: HashMap<u64, u64> = (0..13).map(|k| (k, k * 10)).collect();
    store.extend((14..40).map(|k| (k, k * 10)));
    while let Some(Get { key, reply }) = inbox.recv().await {
        // A malformed request crashes the actor: the bug the supervisor is for.
        let value = *store.get(&key).expect("key 13 is not there");
        let _ = reply.send(value);
    }
}

async fn supervisor(current: Inbox, generations: Arc<AtomicU64>) {
    loop {
        let (tx, rx) = mpsc::channel_named("kv-inbox", 16);
        let actor = peeps::spawn_named("kv-actor", kv_actor(rx));
        *current.write().await = tx;
        generations.fetch_add(1, Ordering::Relaxed);
        match actor.await {
            Ok(()) => return,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn call(current: &Inbox, key: u64) -> Option<u64> {
    for _ in 0..3 {
        let inbox = current.read().await.clone();
        let (reply, answer) = oneshot::channel();
        if inbox.send(Get { key, reply }).await.is_err() {
            tokio::time::sleep(Duration::from_millis(30)).await;
            continue;
        }
        match answer.await {
            Ok(value) => return Some(value),
            Err(_) => tokio::time::sleep(Duration::from_millis(30)).await,
        }
    }
    None
}

async fn client(current: Inbox, first: u64, calls: Arc<AtomicU64>) {
    loop {
        for key in first..first + 10 {
            std::hint::black_box(call(&current, key).await);
            calls.fetch_add(1, Ordering::Relaxed);
        }
        tokio::time::sleep(Duration::from_secs(600)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_supervisor_swaps_actor_sender");
    // Until the supervisor's first write, a sender nobody reads from.
    let (placeholder, _) = mpsc::channel(1);
    let current: Inbox = Arc::new(RwLock::new(placeholder).named("current-inbox"));
    let generations = Arc::new(AtomicU64::new(0));
    let calls = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "supervisor",
        supervisor(current.clone(), generations.clone()),
    );
    while generations.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for (i, first) in [0u64, 20, 4].into_iter().enumerate() {
        peeps::spawn_named(
            format!("client-{i}"),
            client(current.clone(), first, calls.clone()),
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ready_when(move |_| {
        generations.load(Ordering::Relaxed) >= 2 && calls.load(Ordering::Relaxed) >= 30
    });
    park().await
}
