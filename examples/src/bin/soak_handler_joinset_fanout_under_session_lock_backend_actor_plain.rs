//! Healthy, under steady load: a handler that fans out while it holds its
//! session. Two sessions, each an `Arc<Mutex<Session>>` (`session`).
//! Six plain handlers (three per session) take their session's lock, spawn
//! three plain fetches into a tokio `JoinSet`, and drain it with
//! `join_next()` while still holding the session; each fetch sends a
//! query with a `reply` oneshot to a plain `backend` actor (inbox
//! `backend-inbox`, a bounded `mpsc` of 4) and awaits the answer. The
//! backend answers after 5-25 ms, taking `backend-cache` for a moment. A
//! plain cache warmer holds `backend-cache` 40 ms of every 200 ms. The
//! fetches never touch a session.
//!
//! Handlers wait on `session`, held by a handler that waits on its
//! `JoinSet`, whose fetches wait on the backend (on a timer or on
//! `backend-cache`, held on a timer).
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

struct Query {
    key: u64,
    reply: oneshot::Sender<u64>,
}

struct Session {
    views: u64,
    last: Vec<u64>,
}

async fn backend(mut inbox: mpsc::Receiver<Query>, cache: Arc<Mutex<HashMap<u64, u64>>>) {
    while let Some(Query { key, reply }) = inbox.recv().await {
        tokio::time::sleep(Duration::from_millis(5 + (key * 11) % 21)).await;
        let v = *cache.lock().await.entry(key % 16).or_insert(key);
        let _ = reply.send(v);
    }
}

async fn fetch(backend: mpsc::Sender<Query>, key: u64) -> Option<u64> {
    let (reply, rx) = oneshot::channel();
    backend.send(Query { key, reply }).await.ok()?;
    rx.await.ok()
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_handler_joinset_fanout_under_session_lock_backend_actor_plain");
    let cache = Arc::new(Mutex::new(HashMap::new()).named("backend-cache"));
    let (tx, rx) = mpsc::channel(4);
    let tx = tx.named("backend-inbox");
    tokio::spawn(backend(rx, cache.clone()));
    let sessions: Vec<Arc<Mutex<Session>>> = (0..2)
        .map(|_| {
            Arc::new(
                Mutex::new(Session {
                    views: 0,
                    last: Vec::new(),
                })
                .named("session"),
            )
        })
        .collect();
    let pages = Arc::new(AtomicU64::new(0));
    for h in 0..6u64 {
        let session = sessions[(h % 2) as usize].clone();
        let tx = tx.clone();
        let pages = pages.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut s = session.lock().await;
                let mut parts = JoinSet::new();
                for i in 0..3u64 {
                    parts.spawn(fetch(tx.clone(), n * 3 + i + h));
                }
                s.last.clear();
                while let Some(part) = parts.join_next().await {
                    if let Ok(Some(v)) = part {
                        s.last.push(v);
                    }
                }
                s.views += 1;
                drop(s);
                pages.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    drop(tx);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(160)).await;
            let mut c = cache.lock().await;
            tokio::time::sleep(Duration::from_millis(40)).await;
            c.clear();
        }
    });
    ready_when(move |g| {
        pages.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Mutex, "session")
    });
    park().await
}
