//! Healthy, under steady load: hedged requests. A `client`
//! (`peeps::spawn_named`) sends each request to two replicas at once: two
//! `peeps::spawn_named` attempts, each taking an owned permit of
//! `replica-conns` (3 permits) and an owned guard of `conn-stats`
//! (`lock_owned`, kept for the whole attempt), then answering after
//! 100-700 ms over a `oneshot` named `hedge`. The client takes the first
//! answer, aborts the other attempt with its `JoinHandle` (dropping its
//! permit or guard, or its wait for one) and goes on. Three clients.
//! Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; waits on `conn-stats` may be long.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Stats {
    attempts: u64,
}

async fn attempt(
    replica: u64,
    id: u64,
    conns: Arc<Semaphore>,
    stats: Arc<Mutex<Stats>>,
    reply: oneshot::Sender<u64>,
) {
    let _conn = conns.acquire_owned().await.expect("never closed");
    let mut st = stats.lock_owned().await;
    st.attempts += 1;
    tokio::time::sleep(Duration::from_millis(100 + (id * 7 + replica * 300) % 600)).await;
    let _ = reply.send(replica);
}

#[peeps::instrument]
async fn client(
    who: u64,
    conns: Arc<Semaphore>,
    stats: Arc<Mutex<Stats>>,
    answered: Arc<AtomicU64>,
) {
    for id in 0u64.. {
        let (tx_a, rx_a) = oneshot::channel_named("hedge");
        let (tx_b, rx_b) = oneshot::channel_named("hedge");
        let a = peeps::spawn_named(
            format!("attempt-{who}a"),
            attempt(0, id + who, conns.clone(), stats.clone(), tx_a),
        );
        let b = peeps::spawn_named(
            format!("attempt-{who}b"),
            attempt(1, id + who, conns.clone(), stats.clone(), tx_b),
        );
        tokio::select! {
            _ = rx_a => b.abort(),
            _ = rx_b => a.abort(),
        }
        answered.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_abort_named_workers_owned_permits");
    let conns = Arc::new(Semaphore::new(3).named("replica-conns"));
    let stats = Arc::new(Mutex::new(Stats::default()).named("conn-stats"));
    let answered = Arc::new(AtomicU64::new(0));
    for who in 1..=3 {
        peeps::spawn_named(
            format!("client-{who}"),
            client(who, conns.clone(), stats.clone(), answered.clone()),
        );
    }
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 6 && waited_on(g, NodeKind::Mutex, "conn-stats")
    });
    examples::park().await
}
