//! Healthy, under steady load, at scale: 1,500 connections, each served
//! by a plain `tokio::spawn` handler that keeps its own connection's
//! `conn-state` mutex across a 100 ms long-poll, lets it go for a moment,
//! and every tenth round looks a peer up in `registry` (an `RwLock`)
//! holding nothing. A plain acceptor write-locks `registry` every 50 ms to
//! rotate one connection's entry. A plain sweeper, every 150 ms, read-locks
//! `registry` and, holding it, locks five connections' `conn-state` in turn
//! to check them (waiting out their long-polls).
//!
//! One order only: `registry` → `conn-state` (the sweeper). No handler
//! takes `registry` while it holds its state. The program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (docs/lock-order.md, "What is not seen": with more
//! plain tasks holding locks at once than its table holds, a task's locks
//! go to its thread's list and stay there when it moves: a false edge.)

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const CONNS: u64 = 1_500;

struct ConnState {
    polls: u64,
    checked: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1(
        "soak_many_plain_conns_hold_own_state_sweeper_registry_then_conns_plain",
    );
    let conns: Vec<Arc<Mutex<ConnState>>> = (0..CONNS)
        .map(|_| {
            Arc::new(
                Mutex::new(ConnState {
                    polls: 0,
                    checked: 0,
                })
                .named("conn-state"),
            )
        })
        .collect();
    let registry = Arc::new(
        RwLock::new((0..CONNS).map(|c| (c, c)).collect::<HashMap<_, _>>()).named("registry"),
    );
    let polls = Arc::new(AtomicU64::new(0));
    let sweeps = Arc::new(AtomicU64::new(0));
    for (id, conn) in conns.iter().enumerate() {
        let conn = conn.clone();
        let registry = registry.clone();
        let polls = polls.clone();
        let id = id as u64;
        tokio::spawn(async move {
            for round in 0u64.. {
                {
                    let mut state = conn.lock().await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    state.polls += 1;
                }
                polls.fetch_add(1, Ordering::Relaxed);
                if round % 10 == id % 10 {
                    let peer = registry.read().await.get(&((id + round) % CONNS)).copied();
                    std::hint::black_box(peer);
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
    }
    {
        let registry = registry.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut r = registry.write().await;
                let key = n % CONNS;
                r.insert(key, (key + n) % CONNS);
            }
        });
    }
    {
        let sweeps = sweeps.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(150)).await;
                let r = registry.read().await;
                for k in 0..5u64 {
                    let target = *r.get(&((n * 5 + k) % CONNS)).unwrap_or(&0);
                    let mut state = conns[target as usize].lock().await;
                    state.checked += 1;
                }
                drop(r);
                sweeps.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |_| {
        polls.load(Ordering::Relaxed) >= 3 * CONNS && sweeps.load(Ordering::Relaxed) >= 3
    });
    park().await
}
