//! Healthy, under steady load: a search index rebuilt in place. A plain
//! rebuilder, every 300 ms, takes `index` for writing, rebuilds it (a
//! 30 ms sleep), `downgrade()`s the write guard to a read guard, and,
//! still reading, publishes three change notes into `changes` (a bounded
//! `mpsc` of 1) that a plain consumer reads slowly (40 ms each, touching
//! nothing else). Six plain readers query `index` every 5 ms; a plain
//! compactor takes `index` for writing every 500 ms for 5 ms.
//!
//! The rebuilder, holding a read guard, waits to send on a full
//! `changes` (its consumer on a timer); the compactor waits behind that
//! read guard, and new readers behind the compactor.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, RwLockWriteGuard, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_rwlock_rebuild_downgrade_publish_slow_consumer_plain");
    let index = Arc::new(RwLock::new(vec![0u64; 64]).named("index"));
    let (changes, mut changed) = mpsc::channel::<(u64, u64)>(1);
    let changes = changes.named("changes");
    let queries = Arc::new(AtomicU64::new(0));
    let rebuilt = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        while let Some((round, sum)) = changed.recv().await {
            tokio::time::sleep(Duration::from_millis(40)).await;
            std::hint::black_box((round, sum));
        }
    });
    {
        let index = index.clone();
        let rebuilt = rebuilt.clone();
        tokio::spawn(async move {
            for round in 0u64.. {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let mut w = index.write().await;
                tokio::time::sleep(Duration::from_millis(30)).await;
                for (i, v) in w.iter_mut().enumerate() {
                    *v = round + i as u64;
                }
                let r = RwLockWriteGuard::downgrade(w);
                for part in 0..3u64 {
                    let sum: u64 = r.iter().skip((part * 16) as usize).take(16).sum();
                    if changes.send((round, sum)).await.is_err() {
                        return;
                    }
                }
                drop(r);
                rebuilt.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    for q in 0..6u64 {
        let index = index.clone();
        let queries = queries.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                let v = index.read().await[((n + q) % 64) as usize];
                std::hint::black_box(v);
                queries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    {
        let index = index.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let mut w = index.write().await;
                w.rotate_left(1);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
    ready_when(move |g| {
        rebuilt.load(Ordering::Relaxed) >= 1
            && queries.load(Ordering::Relaxed) >= 100
            && waited_on(g, NodeKind::Rwlock, "index")
    });
    park().await
}
