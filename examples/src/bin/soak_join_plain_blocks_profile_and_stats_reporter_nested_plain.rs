//! Healthy, under steady load: a page handler that loads two things at
//! once with `tokio::join!` of two plain `async` blocks. One block takes
//! `profiles` and keeps it across a 15 ms "fetch"; the other takes
//! `stats` for a moment to count the view. Elsewhere a plain reporter,
//! every 30 ms, takes `stats` and, holding it, takes `profiles` to name
//! the top users. Six plain handlers, one reporter.
//!
//! Within a handler, the block holding `profiles` never waits for
//! `stats` (it waits only for its timer), and the block taking `stats`
//! holds nothing: the handler cannot deadlock with the reporter, who
//! waits for `profiles` until the fetch ends. The program cannot hang.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock. (docs/lock-order.md says plain async blocks in one
//! combinator are one context for peeps: a documented limit this
//! exercises.)

use examples::{park, ready_when};
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct App {
    profiles: Mutex<HashMap<u64, String>>,
    stats: Mutex<HashMap<u64, u64>>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_join_plain_blocks_profile_and_stats_reporter_nested_plain");
    let app = Arc::new(App {
        profiles: Mutex::new((0..10).map(|u| (u, format!("user-{u}"))).collect()).named("profiles"),
        stats: Mutex::new(HashMap::new()).named("stats"),
    });
    let pages = Arc::new(AtomicU64::new(0));
    let reports = Arc::new(AtomicU64::new(0));
    for h in 0..6u64 {
        let app = app.clone();
        let pages = pages.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let user = (n + h) % 10;
                let (name, views) = tokio::join!(
                    async {
                        let profiles = app.profiles.lock().await;
                        tokio::time::sleep(Duration::from_millis(15)).await;
                        profiles.get(&user).cloned()
                    },
                    async {
                        let mut stats = app.stats.lock().await;
                        let v = stats.entry(user).or_insert(0);
                        *v += 1;
                        *v
                    },
                );
                std::hint::black_box((name, views));
                pages.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let app = app.clone();
        let reports = reports.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(30)).await;
                let stats = app.stats.lock().await;
                let top = stats.iter().max_by_key(|(_, v)| **v).map(|(u, _)| *u);
                let profiles = app.profiles.lock().await;
                std::hint::black_box(top.and_then(|u| profiles.get(&u)));
                reports.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    ready_when(move |_| {
        pages.load(Ordering::Relaxed) >= 60 && reports.load(Ordering::Relaxed) >= 5
    });
    park().await
}
