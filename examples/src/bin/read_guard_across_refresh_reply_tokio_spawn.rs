//! Deadlock: a request handler keeps the read guard of a token cache
//! while it asks the refresher for a fresh token and awaits the reply;
//! the refresher needs the write lock to store it.
//!
//! `serve` (a `#[peeps::instrument]` fn started with plain
//! `tokio::spawn`, one per request) reads the cached token
//! (`let token = cache.read().await;`), finds it expired, sends a
//! `Refresh` carrying a oneshot reply sender (`refreshed`) to the
//! refresher and awaits it, the guard still alive. The refresher (also
//! a plain task) fetches a new token and waits for `cache.write()`. A
//! second request comes in once the refresher is queued: tokio's
//! `RwLock` is fair, so its read waits behind the queued writer.
//!
//! Expected: one `probable` deadlock (plain tokio tasks) of the first
//! handler and the refresher over rwlock `token` (read guard of the
//! handler) and oneshot `refreshed` (its sender received by the
//! refresher, in its state); the second handler is behind it.

use examples::{park, ready_when, waited_on_for, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

struct Token {
    value: String,
    generation: u64,
    expired: bool,
}

struct Refresh {
    reply: oneshot::Sender<()>,
}

type Cache = Arc<RwLock<Token>>;

#[peeps::instrument]
async fn serve(request: u64, cache: Cache, refresher: mpsc::Sender<Refresh>) {
    let token = cache.read().await;
    if token.expired {
        let (reply, refreshed) = oneshot::channel_named("refreshed");
        if refresher.send(Refresh { reply }).await.is_err() {
            return;
        }
        let _ = refreshed.await;
    }
    println!("request {request} with token {}", token.value);
}

#[peeps::instrument]
async fn refresh(cache: Cache, mut requests: mpsc::Receiver<Refresh>) {
    while let Some(Refresh { reply }) = requests.recv().await {
        let generation = cache.read().await.generation + 1;
        let fresh = Token {
            value: format!("token-{generation}"),
            generation,
            expired: false,
        };
        *cache.write().await = fresh;
        let _ = reply.send(());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("read_guard_across_refresh_reply_tokio_spawn");
    let cache: Cache = Arc::new(
        RwLock::new(Token {
            value: "token-0".into(),
            generation: 0,
            expired: true,
        })
        .named("token"),
    );
    let (refresher, requests) = mpsc::channel_named("refresh-requests", 8);
    tokio::spawn(refresh(cache.clone(), requests));
    tokio::spawn(serve(1, cache.clone(), refresher.clone()));
    // The second request arrives once the refresher waits to write.
    while !waited_on_for(&peeps::snapshot(), NodeKind::Rwlock, "token", "write") {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::spawn(serve(2, cache.clone(), refresher.clone()));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "refreshed", "recv")
            && waited_on_for(g, NodeKind::Rwlock, "token", "write")
            && waiters(g, NodeKind::Rwlock, "token") == 2
    });
    park().await
}
