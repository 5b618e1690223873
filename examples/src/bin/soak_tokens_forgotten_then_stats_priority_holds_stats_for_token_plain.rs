//! Healthy, under steady load: a token-bucket rate limiter whose tokens
//! are spent with `forget()`. `tokens` is a `Semaphore` that starts
//! empty; a plain refiller adds 4 permits every 50 ms. Five plain request
//! tasks take a token, `forget()` it (spent: nothing is held any more),
//! then take `req-stats` for 2 ms to count the request. A plain priority
//! task takes `req-stats` and, holding it, waits for a token and spends
//! it (the refiller needs no lock).
//!
//! A spent token is not held, so the requests hold nothing of `tokens`
//! when they wait for `req-stats`; the priority task's token comes from
//! the refiller whatever anyone holds. The program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Stats {
    requests: u64,
    priority: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tokens_forgotten_then_stats_priority_holds_stats_for_token_plain");
    let tokens = Arc::new(Semaphore::new(0).named("tokens"));
    let stats = Arc::new(
        Mutex::new(Stats {
            requests: 0,
            priority: 0,
        })
        .named("req-stats"),
    );
    let served = Arc::new(AtomicU64::new(0));
    {
        let tokens = tokens.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                if tokens.available_permits() < 16 {
                    tokens.add_permits(4);
                }
            }
        });
    }
    for _ in 0..5 {
        let tokens = tokens.clone();
        let stats = stats.clone();
        let served = served.clone();
        tokio::spawn(async move {
            loop {
                tokens.acquire().await.expect("never closed").forget();
                let mut s = stats.lock().await;
                tokio::time::sleep(Duration::from_millis(2)).await;
                s.requests += 1;
                drop(s);
                served.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let tokens = tokens.clone();
        let stats = stats.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(30)).await;
                let mut s = stats.lock().await;
                tokens.acquire().await.expect("never closed").forget();
                s.priority += 1;
            }
        });
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 30 && waited_on(g, NodeKind::Semaphore, "tokens")
    });
    park().await
}
