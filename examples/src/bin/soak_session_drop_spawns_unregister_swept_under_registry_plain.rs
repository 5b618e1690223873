//! Healthy, under steady load: sessions that unregister themselves on
//! `Drop`. A `Session` lives in `registry` (a `Mutex<HashMap<u64,
//! Session>>`); its `Drop` cannot `.await`, so it `tokio::spawn`s a plain
//! task that takes `registry` to append to the closed log and bumps
//! `session-stats`. Sessions are dropped in two places:
//!
//! - a plain sweeper, every 150 ms, takes `registry`, removes the expired
//!   sessions (dropping them under the lock, so their cleanup tasks queue
//!   on `registry` behind the sweeper), and keeps `registry` across a
//!   40 ms "audit write";
//! - four plain clients open a session, use it a few times (2 ms each,
//!   under `registry`), and log out by removing it themselves.
//!
//! Cleanup tasks wait on `registry` held by the sweeper on a timer.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Registry {
    live: HashMap<u64, Session>,
    closed: Vec<u64>,
}

struct Shared {
    registry: Mutex<Registry>,
    stats: Mutex<u64>,
}

struct Session {
    id: u64,
    opened: Instant,
    uses: u64,
    shared: Arc<Shared>,
}

impl Drop for Session {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        let id = self.id;
        tokio::spawn(async move {
            let mut reg = shared.registry.lock().await;
            reg.closed.push(id);
            if reg.closed.len() > 128 {
                reg.closed.clear();
            }
            drop(reg);
            *shared.stats.lock().await += 1;
        });
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_session_drop_spawns_unregister_swept_under_registry_plain");
    let shared = Arc::new(Shared {
        registry: Mutex::new(Registry {
            live: HashMap::new(),
            closed: Vec::new(),
        })
        .named("registry"),
        stats: Mutex::new(0).named("session-stats"),
    });
    let next_id = Arc::new(AtomicU64::new(0));
    let sessions = Arc::new(AtomicU64::new(0));
    for c in 0..4u64 {
        let shared = shared.clone();
        let next_id = next_id.clone();
        let sessions = sessions.clone();
        tokio::spawn(async move {
            for round in 0u64.. {
                let id = next_id.fetch_add(1, Ordering::Relaxed);
                let session = Session {
                    id,
                    opened: Instant::now(),
                    uses: 0,
                    shared: shared.clone(),
                };
                shared.registry.lock().await.live.insert(id, session);
                for _ in 0..(3 + (round + c) % 5) {
                    let mut reg = shared.registry.lock().await;
                    let Some(s) = reg.live.get_mut(&id) else {
                        break;
                    };
                    s.uses += 1;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    drop(reg);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                if !round.is_multiple_of(3) {
                    let gone = shared.registry.lock().await.live.remove(&id);
                    drop(gone);
                }
                sessions.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let shared = shared.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let mut reg = shared.registry.lock().await;
                reg.live
                    .retain(|_, s| s.opened.elapsed() < Duration::from_millis(100));
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        });
    }
    ready_when(move |g| {
        sessions.load(Ordering::Relaxed) >= 20 && waited_on(g, NodeKind::Mutex, "registry")
    });
    park().await
}
