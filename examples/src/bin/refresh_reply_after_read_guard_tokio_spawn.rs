//! Healthy control: the twin of
//! `read_guard_across_refresh_reply_tokio_spawn`, the read guard dropped
//! before the handler asks for a refresh.
//!
//! `serve` (a `#[peeps::instrument]` fn started with plain
//! `tokio::spawn`, one per request) checks the cached token with a
//! temporary guard (`let expired = cache.read().await.expired;`), asks
//! the refresher for a fresh token (a oneshot reply sender `refreshed` in
//! the message) and awaits it, then reads the token again. The refresher
//! takes the write lock and holds it while it fetches (an hour on a
//! timer), so that nobody reads a stale token. A second request comes in
//! meanwhile and waits to read.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock;
//! at a short threshold a long wait of the second handler on rwlock
//! `token`, held by the refresher.

use examples::{holders, park, ready_when, waited_on_for, waiters};
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
    let expired = cache.read().await.expired;
    if expired {
        let (reply, refreshed) = oneshot::channel_named("refreshed");
        if refresher.send(Refresh { reply }).await.is_err() {
            return;
        }
        let _ = refreshed.await;
    }
    let token = cache.read().await;
    println!("request {request} with token {}", token.value);
}

#[peeps::instrument]
async fn refresh(cache: Cache, mut requests: mpsc::Receiver<Refresh>) {
    while let Some(Refresh { reply }) = requests.recv().await {
        let mut token = cache.write().await;
        // Fetching a token from the identity provider: slow.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        token.generation += 1;
        token.value = format!("token-{}", token.generation);
        token.expired = false;
        drop(token);
        let _ = reply.send(());
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("refresh_reply_after_read_guard_tokio_spawn");
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
    // The second request arrives once the refresher holds the lock.
    loop {
        let g = peeps::snapshot();
        if waited_on_for(&g, NodeKind::Channel, "refreshed", "recv")
            && holders(&g, NodeKind::Rwlock, "token").len() == 1
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::spawn(serve(2, cache.clone(), refresher.clone()));

    ready_when(|g| {
        waited_on_for(g, NodeKind::Channel, "refreshed", "recv")
            && waiters(g, NodeKind::Rwlock, "token") == 1
    });
    park().await
}
