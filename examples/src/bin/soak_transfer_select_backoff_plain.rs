//! Healthy, under steady load: transfers between two accounts that lock
//! `from`, then race `to.lock()` against a 150 ms `tokio::time::sleep` in
//! a `tokio::select!` (a retry loop: when the sleep wins, the teller lets
//! `from` go, backs off 10-40 ms and retries). Two tellers move money
//! `a` -> `b`, two `b` -> `a`, each holding both locks 120 ms. All plain
//! `tokio::spawn` tasks of an uninstrumented fn. Multi-thread runtime.
//!
//! Two tellers can each hold one account and wait for the other: the
//! losing `select!` branch always breaks it. Expected, in every dump: no
//! deadlock, nothing stuck forever, no potential deadlock (every second
//! lock is a wait that is given up).

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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
        tokio::select! {
            mut dst = to.lock() => {
                *src -= 5;
                *dst += 5;
                tokio::time::sleep(Duration::from_millis(120)).await;
                drop(dst);
                drop(src);
                done.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            () = tokio::time::sleep(Duration::from_millis(150)) => {
                drop(src);
                backoffs.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10 + (n * 7 + who * 11) % 30)).await;
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_transfer_select_backoff_plain");
    let a = Arc::new(Mutex::new(1_000i64).named("a"));
    let b = Arc::new(Mutex::new(1_000i64).named("b"));
    let done = Arc::new(AtomicU64::new(0));
    let backoffs = Arc::new(AtomicU64::new(0));
    for who in 1..=2 {
        tokio::spawn(teller(
            who,
            a.clone(),
            b.clone(),
            done.clone(),
            backoffs.clone(),
        ));
        tokio::spawn(teller(
            who + 2,
            b.clone(),
            a.clone(),
            done.clone(),
            backoffs.clone(),
        ));
    }
    ready_when(move |g| {
        done.load(Ordering::Relaxed) >= 6
            && backoffs.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Mutex, "a")
    });
    examples::park().await
}
