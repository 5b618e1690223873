//! Healthy, under steady load: an adaptive concurrency limit in front of
//! an upstream that sheds load. `upstream-limit` is a `Semaphore` of 4.
//! Six plain workers take a permit per call and hold it across the call
//! (20-80 ms). A plain controller, every 900 ms, backs off: it
//! `forget_permits` whatever is free, then `acquire_many` of the rest as
//! the workers finish and `forget()`s them too, so the limit is zero; it
//! waits 400 ms ("upstream cooling down") and `add_permits(4)` back.
//!
//! While the limit is zero the workers wait on `upstream-limit` with no
//! permit held by anyone: only the controller, asleep, can let them
//! through. Those are honest long waits, not a deadlock.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Semaphore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const LIMIT: usize = 4;

struct Limiter {
    permits: Semaphore,
}

impl Limiter {
    async fn shut(&self) {
        let freed = self.permits.forget_permits(LIMIT);
        let rest = u32::try_from(LIMIT - freed).expect("small");
        if rest > 0 {
            let held = self.permits.acquire_many(rest).await.expect("never closed");
            held.forget();
        }
    }

    fn reopen(&self) {
        self.permits.add_permits(LIMIT);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_adaptive_limit_forget_permits_add_back_plain");
    let limiter = Arc::new(Limiter {
        permits: Semaphore::new(LIMIT).named("upstream-limit"),
    });
    let calls = Arc::new(AtomicU64::new(0));
    let shut_once = Arc::new(AtomicU64::new(0));
    for w in 0..6u64 {
        let limiter = limiter.clone();
        let calls = calls.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let _permit = limiter.permits.acquire().await.expect("never closed");
                tokio::time::sleep(Duration::from_millis(20 + (n * 13 + w * 17) % 61)).await;
                calls.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let limiter = limiter.clone();
        let shut_once = shut_once.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(900)).await;
                limiter.shut().await;
                shut_once.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(400)).await;
                limiter.reopen();
            }
        });
    }
    ready_when(move |g| {
        calls.load(Ordering::Relaxed) >= 20
            && shut_once.load(Ordering::Relaxed) >= 1
            && waited_on(g, NodeKind::Semaphore, "upstream-limit")
    });
    park().await
}
