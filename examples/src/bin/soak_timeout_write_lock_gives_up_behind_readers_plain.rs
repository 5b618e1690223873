//! Healthy, under steady load: a metrics table behind an `RwLock`. Four
//! plain report tasks each hold a read guard while they "stream" the
//! table to a client (15-45 ms of sleeps under the read), one after the
//! other with 5 ms gaps, so some read is almost always held. A plain
//! compactor wants the write lock every 10 ms but only for a moment:
//! `tokio::time::timeout(Duration::from_millis(8), table.write())`, and
//! gives up (counts a skip) when it times out, dropping the queued write
//! future. Request handlers do the same with a `Mutex` of the session
//! map: `timeout(10 ms, sessions.lock())`, answering "busy" on a timeout,
//! while a plain janitor holds the map across a 25 ms sweep every 40 ms.
//! Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::timeout;

#[derive(Default)]
struct Table {
    series: HashMap<u32, Vec<u64>>,
    compactions: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_timeout_write_lock_gives_up_behind_readers_plain");
    let table = Arc::new(RwLock::new(Table::default()));
    let sessions = Arc::new(Mutex::new(HashMap::<u64, u64>::new()));
    let skipped = Arc::new(AtomicU64::new(0));
    let busy = Arc::new(AtomicU64::new(0));

    for r in 0..4u64 {
        let table = table.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                {
                    let t = table.read().await;
                    let rows = t.series.len();
                    // Stream the rows out, chunk by chunk.
                    for _ in 0..1 + (n + r) % 3 {
                        tokio::time::sleep(Duration::from_millis(15)).await;
                    }
                    let _ = rows;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    let (t, sk) = (table.clone(), skipped.clone());
    tokio::spawn(async move {
        for n in 0u64.. {
            tokio::time::sleep(Duration::from_millis(10)).await;
            match timeout(Duration::from_millis(8), t.write()).await {
                Ok(mut w) => {
                    w.series.entry((n % 50) as u32).or_default().push(n);
                    w.compactions += 1;
                }
                Err(_) => {
                    sk.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    });

    for h in 0..3u64 {
        let (s, b) = (sessions.clone(), busy.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(7 + h)).await;
                match timeout(Duration::from_millis(10), s.lock()).await {
                    Ok(mut map) => {
                        *map.entry(n % 20).or_default() += 1;
                    }
                    Err(_) => {
                        b.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
    }

    let s = sessions.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            let mut map = s.lock().await;
            tokio::time::sleep(Duration::from_millis(25)).await;
            map.retain(|_, v| *v < 50);
        }
    });

    ready_when(move |_| skipped.load(Ordering::Relaxed) >= 10 && busy.load(Ordering::Relaxed) >= 5);
    park().await
}
