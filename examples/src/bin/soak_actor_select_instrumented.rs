//! Healthy, under steady load, written with peeps' own spawns: a key-value
//! actor (`peeps::spawn_named("kv-actor")`, its loop
//! `#[peeps::instrument]`ed) `select!`s between its inbox (`kv-inbox`,
//! bounded 4), a 500 ms interval on which it compacts (every third tick a
//! slow one, 1.4 s), and a `watch` shutdown (`stop`) that `main` keeps
//! and never sends. Five clients (`peeps::spawn_named("client-N")`) send
//! requests carrying a `oneshot` reply sender and await the reply, in a
//! loop. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. Clients sending into the full inbox or awaiting a
//! reply during a slow compaction are honest long waits.

use examples::ready_when;
use peeps::sync::{mpsc, oneshot, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Request {
    Put(u64, u64, oneshot::Sender<()>),
    Get(u64, oneshot::Sender<Option<u64>>),
}

#[peeps::instrument]
async fn actor(mut inbox: mpsc::Receiver<Request>, mut stop: watch::Receiver<bool>) {
    let mut map = HashMap::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut ticks = 0u64;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tick.tick() => {
                ticks += 1;
                if ticks.is_multiple_of(3) {
                    tokio::time::sleep(Duration::from_millis(1400)).await;
                    map.retain(|k: &u64, _| k.is_multiple_of(2) || *k < 64);
                }
            }
            req = inbox.recv() => match req {
                Some(Request::Put(k, v, reply)) => {
                    map.insert(k, v);
                    let _ = reply.send(());
                }
                Some(Request::Get(k, reply)) => {
                    let _ = reply.send(map.get(&k).copied());
                }
                None => return,
            },
        }
    }
}

#[peeps::instrument]
async fn client(id: u64, kv: mpsc::Sender<Request>, answered: Arc<AtomicU64>) {
    for n in 0u64.. {
        if n % 2 == 0 {
            let (reply, done) = oneshot::channel_named("put-reply");
            if kv.send(Request::Put(n % 128, id, reply)).await.is_err() {
                return;
            }
            let _ = done.await;
        } else {
            let (reply, value) = oneshot::channel_named("get-reply");
            if kv.send(Request::Get(n % 128, reply)).await.is_err() {
                return;
            }
            let _ = value.await;
        }
        answered.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(4 + id)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_actor_select_instrumented");
    let (kv, inbox) = mpsc::channel_named("kv-inbox", 4);
    let (stop_tx, stop) = watch::channel_named("stop", false);
    peeps::spawn_named("kv-actor", actor(inbox, stop));
    let answered = Arc::new(AtomicU64::new(0));
    for id in 1..=5 {
        peeps::spawn_named(
            format!("client-{id}"),
            client(id, kv.clone(), answered.clone()),
        );
    }
    drop(kv);
    let seen = answered.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) > 100);
    // `main` keeps `stop_tx` (never sent) while it parks.
    let _stop = stop_tx;
    examples::park().await
}
