//! Healthy, under steady load: request/response to an actor with oneshot
//! replies, callers giving up on a slow answer. Plain `tokio::spawn`, no
//! peeps annotation, no names.
//!
//! A `KvHandle` wraps a bounded `mpsc` inbox (8); each call sends a
//! request carrying a `oneshot` reply sender and `select!`s the reply
//! against a 120 ms sleep. The actor answers each request after 10-200
//! ms (a slow backend); a reply to a caller that gave up fails quietly.
//! Each of five connection handlers keeps its own session (a
//! `Mutex<Session>`) locked across the call and the bookkeeping after it,
//! as a connection's state is; a metrics task locks every session in turn
//! to read its counters. The actor never touches a session.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Request {
    Get {
        key: u64,
        reply: oneshot::Sender<Option<u64>>,
    },
    Put {
        key: u64,
        value: u64,
    },
}

#[derive(Clone)]
struct KvHandle {
    inbox: mpsc::Sender<Request>,
}

impl KvHandle {
    async fn get(&self, key: u64) -> Result<Option<u64>, &'static str> {
        let (reply, answer) = oneshot::channel();
        self.inbox
            .send(Request::Get { key, reply })
            .await
            .map_err(|_| "actor gone")?;
        tokio::select! {
            got = answer => got.map_err(|_| "actor dropped the request"),
            _ = tokio::time::sleep(Duration::from_millis(120)) => Err("timed out"),
        }
    }

    async fn put(&self, key: u64, value: u64) {
        let _ = self.inbox.send(Request::Put { key, value }).await;
    }
}

async fn actor(mut inbox: mpsc::Receiver<Request>) {
    let mut store = HashMap::new();
    let mut n = 0u64;
    while let Some(req) = inbox.recv().await {
        n += 1;
        match req {
            Request::Get { key, reply } => {
                tokio::time::sleep(Duration::from_millis(10 + (n * 37) % 190)).await;
                let _ = reply.send(store.get(&key).copied());
            }
            Request::Put { key, value } => {
                store.insert(key, value);
            }
        }
    }
}

#[derive(Default)]
struct Session {
    hits: u64,
    misses: u64,
    timeouts: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_actor_reply_timeout_session_lock_plain");
    let (inbox, rx) = mpsc::channel(8);
    tokio::spawn(actor(rx));
    let kv = KvHandle { inbox };
    let served = Arc::new(AtomicU64::new(0));
    let mut sessions = Vec::new();
    for c in 0..5u64 {
        let session = Arc::new(Mutex::new(Session::default()));
        sessions.push(session.clone());
        let kv = kv.clone();
        let served = served.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let key = (n * 7 + c) % 20;
                let mut s = session.lock().await;
                match kv.get(key).await {
                    Ok(Some(_)) => s.hits += 1,
                    Ok(None) => {
                        s.misses += 1;
                        kv.put(key, n).await;
                    }
                    Err(_) => s.timeouts += 1,
                }
                drop(s);
                served.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let mut total = 0;
            for s in &sessions {
                let s = s.lock().await;
                total += s.hits + s.misses + s.timeouts;
            }
            std::hint::black_box(total);
        }
    });
    let ready = served.clone();
    ready_when(move |_| ready.load(Ordering::Relaxed) >= 30);
    park().await
}
