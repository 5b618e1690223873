//! Healthy, under steady load: leadership by lock. Whoever holds the
//! `leadership` mutex (as an owned guard, `lock_owned`) leads: it serves
//! its term until asked to step down, waiting on the `step-down` Notify
//! (with a 900 ms term limit, `tokio::time::timeout`). Followers try to
//! take `leadership` under a 250 ms timeout; a follower that times out
//! thinks the leader is slow, `notify_one`s `step-down` and tries again.
//! Three candidates run the same loop (lead when they win, follow
//! otherwise): two `peeps::spawn_named`, one plain `tokio::spawn`.
//! Multi-thread runtime.
//!
//! The leader waits on what followers notify, the followers on the lock
//! the leader holds; both waits are under timeouts and the followers do
//! notify. Expected, in every dump: no deadlock, nothing stuck forever,
//! no potential deadlock.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Election {
    leadership: Arc<Mutex<u64>>,
    step_down: Notify,
    terms: AtomicU64,
    nudges: AtomicU64,
}

async fn candidate(who: u64, e: Arc<Election>) {
    loop {
        match tokio::time::timeout(
            Duration::from_millis(250),
            e.leadership.clone().lock_owned(),
        )
        .await
        {
            Ok(mut term) => {
                *term = who;
                let _ =
                    tokio::time::timeout(Duration::from_millis(900), e.step_down.notified()).await;
                drop(term);
                e.terms.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
            Err(_) => {
                e.nudges.fetch_add(1, Ordering::Relaxed);
                e.step_down.notify_one();
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_leader_step_down_notify");
    let e = Arc::new(Election {
        leadership: Arc::new(Mutex::new(0).named("leadership")),
        step_down: Notify::new().named("step-down"),
        terms: AtomicU64::new(0),
        nudges: AtomicU64::new(0),
    });
    peeps::spawn_named("candidate-1", candidate(1, e.clone()));
    peeps::spawn_named("candidate-2", candidate(2, e.clone()));
    tokio::spawn(candidate(3, e.clone()));
    let seen = e.clone();
    ready_when(move |g| {
        seen.terms.load(Ordering::Relaxed) >= 3
            && seen.nudges.load(Ordering::Relaxed) >= 2
            && waited_on(g, NodeKind::Mutex, "leadership")
    });
    examples::park().await
}
