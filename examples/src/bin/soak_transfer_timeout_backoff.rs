//! Healthy, under steady load: transfers between two accounts that take
//! their locks in the order of the transfer (`from`, then `to`), the
//! second under `tokio::time::timeout(150 ms, ..)`: on a timeout the
//! teller lets the first lock go, backs off 10-40 ms and retries. Two
//! tellers move money `a` -> `b`, two `b` -> `a`; each holds both
//! locks for 120 ms (writing the journal). All `peeps::spawn_named`.
//! Multi-thread runtime.
//!
//! Two tellers can each hold one account and wait for the other: the
//! timeouts always break it. Expected, in every dump: no deadlock,
//! nothing stuck forever; the inverted lock order is a real pattern of
//! this program, but it cannot hang (every second lock is under a
//! timeout).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn teller(
    who: u64,
    from: Arc<Mutex<i64>>,
    to: Arc<Mutex<i64>>,
    done: Arc<AtomicU64>,
    backoffs: Arc<AtomicU64>,
) {
    let mut n = 0u64;
    loop {
        n += 1;
        let mut src = from.lock().await;
        match tokio::time::timeout(Duration::from_millis(150), to.lock()).await {
            Ok(mut dst) => {
                *src -= 5;
                *dst += 5;
                tokio::time::sleep(Duration::from_millis(120)).await;
                drop(dst);
                drop(src);
                done.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => {
                drop(src);
                backoffs.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10 + (n * 7 + who * 11) % 30)).await;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_transfer_timeout_backoff");
    let a = Arc::new(Mutex::new(1_000i64).named("a"));
    let b = Arc::new(Mutex::new(1_000i64).named("b"));
    let done = Arc::new(AtomicU64::new(0));
    let backoffs = Arc::new(AtomicU64::new(0));
    for who in 1..=2 {
        peeps::spawn_named(
            format!("teller-ab-{who}"),
            teller(who, a.clone(), b.clone(), done.clone(), backoffs.clone()),
        );
        peeps::spawn_named(
            format!("teller-ba-{who}"),
            teller(
                who + 2,
                b.clone(),
                a.clone(),
                done.clone(),
                backoffs.clone(),
            ),
        );
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 6
            && backoffs.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Mutex, "a")
    });
    examples::park().await
}
