//! Healthy, under steady load: "flush on drop" with a bounded wait. A
//! `Batch` buffers metric points and, in its `Drop`, flushes them with
//! `futures::executor::block_on(tokio::time::timeout(800 ms,
//! tx.send(points)))`, dropping the points when the channel stays full
//! (a `Drop` cannot `.await`). Three recorders loop: lock the async
//! `peeps::sync::Mutex` of stats, make a `Batch`, record into it and into
//! the stats, and leave the scope, so the batch flushes while the stats
//! are still locked (declared after the guard, it drops first). A
//! shipper receives each flush from `points` (capacity 1), then locks the
//! stats to count it and pauses 5 ms. So now and then a recorder waits
//! (at most 800 ms, parking its worker) for room in `points` that only the
//! shipper makes, while the shipper waits for the stats the recorder
//! holds: a cycle of waits the flush's timeout breaks, every time. Two
//! workers. Every task is a `peeps::spawn_named` one; nothing else is named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Batch {
    points: Vec<u64>,
    tx: mpsc::Sender<Vec<u64>>,
    dropped: Arc<AtomicU64>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        let points = std::mem::take(&mut self.points);
        let flushed = futures::executor::block_on(tokio::time::timeout(
            Duration::from_millis(800),
            self.tx.send(points),
        ));
        if !matches!(flushed, Ok(Ok(()))) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[derive(Default)]
struct Stats {
    recorded: u64,
    shipped: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_flush_on_drop_executor_block_on_timeout_under_stats_named");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let (tx, mut points) = mpsc::channel::<Vec<u64>>(1);
    let dropped = Arc::new(AtomicU64::new(0));
    let shipped = Arc::new(AtomicU64::new(0));

    for r in 0..3u64 {
        let (stats, tx, dropped) = (stats.clone(), tx.clone(), dropped.clone());
        peeps::spawn_named("recorder", async move {
            for n in 0u64.. {
                {
                    let mut s = stats.lock().await;
                    let mut batch = Batch {
                        points: Vec::new(),
                        tx: tx.clone(),
                        dropped: dropped.clone(),
                    };
                    batch.points.push(r * 1_000_000 + n);
                    s.recorded += 1;
                }
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
    }
    drop(tx);

    {
        let (stats, shipped) = (stats.clone(), shipped.clone());
        peeps::spawn_named("shipper", async move {
            while let Some(p) = points.recv().await {
                stats.lock().await.shipped += p.len() as u64;
                shipped.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    ready_when(move |_| {
        shipped.load(Ordering::Relaxed) >= 10 && dropped.load(Ordering::Relaxed) >= 1
    });
    park().await
}
