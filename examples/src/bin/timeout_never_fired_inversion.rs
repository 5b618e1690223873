//! Potential deadlock: a transfer takes its second lock under a generous
//! timeout that never fires in this run. A `teller-ab`
//! (`peeps::spawn_named`) moves money `a` -> `b` three times, locking
//! `a`, then `b` under `tokio::time::timeout(5 s, ..)`; main awaits it,
//! then a `teller-ba` moves money `b` -> `a` three times, locking `b`,
//! then `a` with no timeout. Multi-thread runtime.
//!
//! No wait was ever given up: a timeout that never fired cannot be told
//! from none (docs/lock-order.md, "Waits given up"), and the plain side
//! waits for good anyway. Expected: no deadlock, nothing stuck forever;
//! one potential deadlock: `teller-ab` took `a` then `b`, `teller-ba`
//! took `b` then `a`.

use examples::ready_when;
use peeps::sync::Mutex;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[peeps::instrument]
async fn transfer_ab(a: Arc<Mutex<i64>>, b: Arc<Mutex<i64>>) {
    for _ in 0..3 {
        let mut src = a.lock().await;
        match tokio::time::timeout(Duration::from_secs(5), b.lock()).await {
            Ok(mut dst) => {
                *src -= 5;
                *dst += 5;
            }
            Err(_) => panic!("nobody else holds b"),
        }
        drop(src);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[peeps::instrument]
async fn transfer_ba(a: Arc<Mutex<i64>>, b: Arc<Mutex<i64>>) {
    for _ in 0..3 {
        let mut src = b.lock().await;
        let mut dst = a.lock().await;
        *src -= 5;
        *dst += 5;
        drop(dst);
        drop(src);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("timeout_never_fired_inversion");
    let a = Arc::new(Mutex::new(1_000i64).named("a"));
    let b = Arc::new(Mutex::new(1_000i64).named("b"));
    let done = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("teller-ab", transfer_ab(a.clone(), b.clone()))
        .await
        .expect("teller-ab");
    peeps::spawn_named("teller-ba", transfer_ba(a.clone(), b.clone()))
        .await
        .expect("teller-ba");
    done.store(1, Ordering::Relaxed);
    ready_when(move |_| done.load(Ordering::Relaxed) == 1);
    examples::park().await
}
