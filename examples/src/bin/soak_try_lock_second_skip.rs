//! Healthy, under steady load: opportunistic work under a second lock.
//! A request handler locks `sessions`, then tries `stats` with
//! `try_lock()`: if it is busy, the stats update is skipped. A
//! `stats-flusher` locks `stats` and then `sessions` (to count live
//! sessions) and holds both for 150 ms, every 200 ms. Four handlers
//! (two `peeps::spawn_named`, two plain `tokio::spawn`); each holds
//! `sessions` for 20-60 ms. Multi-thread runtime.
//!
//! The handlers never wait for `stats` (`try_lock`), so the two orders
//! cannot deadlock. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock; waits on `sessions` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Stats {
    requests: u64,
    live: usize,
}

async fn handle(
    who: u64,
    sessions: Arc<Mutex<HashMap<u64, u64>>>,
    stats: Arc<Mutex<Stats>>,
    served: Arc<AtomicU64>,
    skipped: Arc<AtomicU64>,
) {
    for n in 0u64.. {
        {
            let mut s = sessions.lock().await;
            *s.entry((n + who) % 16).or_default() += 1;
            match stats.try_lock() {
                Ok(mut st) => st.requests += 1,
                Err(_) => {
                    skipped.fetch_add(1, Ordering::Relaxed);
                }
            }
            tokio::time::sleep(Duration::from_millis(20 + (n * 13 + who * 7) % 40)).await;
        }
        served.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[peeps::instrument]
async fn flush_stats(sessions: Arc<Mutex<HashMap<u64, u64>>>, stats: Arc<Mutex<Stats>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut st = stats.lock().await;
        let s = sessions.lock().await;
        st.live = s.len();
        tokio::time::sleep(Duration::from_millis(150)).await;
        std::hint::black_box((st.requests, st.live));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_try_lock_second_skip");
    let sessions = Arc::new(Mutex::new(HashMap::new()).named("sessions"));
    let stats = Arc::new(Mutex::new(Stats::default()).named("stats"));
    let served = Arc::new(AtomicU64::new(0));
    let skipped = Arc::new(AtomicU64::new(0));
    peeps::spawn_named(
        "stats-flusher",
        flush_stats(sessions.clone(), stats.clone()),
    );
    for who in 1..=2 {
        peeps::spawn_named(
            format!("handler-{who}"),
            handle(
                who,
                sessions.clone(),
                stats.clone(),
                served.clone(),
                skipped.clone(),
            ),
        );
        tokio::spawn(handle(
            who + 2,
            sessions.clone(),
            stats.clone(),
            served.clone(),
            skipped.clone(),
        ));
    }
    ready_when(move |g| {
        served.load(Ordering::Relaxed) >= 10
            && skipped.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Mutex, "sessions")
    });
    examples::park().await
}
