//! Healthy, under steady load: `!Send` request handlers on a `LocalSet`
//! (`spawn_local`, all on `main`'s thread, inside `run_until`), beside a
//! reporter on the multi-thread runtime. Three local "profile" tasks take
//! `profiles` and keep it across a 10 ms fetch; three local "hit" tasks
//! take `stats` alone for a moment; a plain `tokio::spawn` reporter,
//! every 25 ms, takes `stats` and, holding it, takes `profiles`.
//!
//! The local tasks share one thread but are separate tasks: a hit task
//! holds nothing of the profile tasks'. One order only (`stats` →
//! `profiles`), so the program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct App {
    profiles: Mutex<HashMap<u64, String>>,
    stats: Mutex<HashMap<u64, u64>>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1(
        "soak_localset_tasks_hold_profiles_sibling_takes_stats_reporter_nested_plain",
    );
    let app = Arc::new(App {
        profiles: Mutex::new((0..10).map(|u| (u, format!("user-{u}"))).collect()).named("profiles"),
        stats: Mutex::new(HashMap::new()).named("stats"),
    });
    let served = Arc::new(AtomicU64::new(0));
    let reports = Arc::new(AtomicU64::new(0));
    {
        let app = app.clone();
        let reports = reports.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(25)).await;
                let stats = app.stats.lock().await;
                let top = stats.iter().max_by_key(|(_, v)| **v).map(|(u, _)| *u);
                let profiles = app.profiles.lock().await;
                std::hint::black_box(top.and_then(|u| profiles.get(&u)));
                reports.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    {
        let served = served.clone();
        ready_when(move |_| {
            served.load(Ordering::Relaxed) >= 60 && reports.load(Ordering::Relaxed) >= 5
        });
    }
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async move {
            // Per-thread state the handlers share: why they are local.
            let seen: Rc<RefCell<u64>> = Rc::new(RefCell::new(0));
            for p in 0..3u64 {
                let app = app.clone();
                let seen = seen.clone();
                let served = served.clone();
                tokio::task::spawn_local(async move {
                    for n in 0u64.. {
                        let profiles = app.profiles.lock().await;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        std::hint::black_box(profiles.get(&((n + p) % 10)));
                        drop(profiles);
                        *seen.borrow_mut() += 1;
                        served.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(3)).await;
                    }
                });
            }
            for h in 0..3u64 {
                let app = app.clone();
                let seen = seen.clone();
                tokio::task::spawn_local(async move {
                    for n in 0u64.. {
                        {
                            let mut stats = app.stats.lock().await;
                            *stats.entry((n + h) % 10).or_insert(0) += *seen.borrow();
                        }
                        tokio::time::sleep(Duration::from_millis(4)).await;
                    }
                });
            }
            park().await
        })
        .await
}
