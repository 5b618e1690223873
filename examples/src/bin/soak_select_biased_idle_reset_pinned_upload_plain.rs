//! Healthy, under steady load: three plain session writers, each a
//! `select!` loop with `biased;`. Each buffers events from its own `mpsc`
//! (capacity 32; a plain producer sends bursts of 1-20 events 2 ms apart,
//! then pauses 500 ms), resets an idle `Sleep` pinned outside the loop on
//! every event (`idle.as_mut().reset(..)`), and ships a batch when 16 are
//! buffered or the idle timer fires. The upload is a boxed future kept
//! across turns (`&mut upload`, `if uploading`): it locks the shared
//! `Mutex` of the store and holds it across a 3 ms write. Branch bodies
//! never touch the store (only a `Mutex` of stats, from a 1 s
//! heartbeat `interval`), so the held upload is polled again every turn.
//! A plain reporter locks the store every 30 ms. Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const IDLE: Duration = Duration::from_millis(20);

#[derive(Default)]
struct Store {
    rows: u64,
    batches: u64,
}

#[derive(Default)]
struct Stats {
    beats: u64,
    events: u64,
}

type Upload = Pin<Box<dyn Future<Output = usize> + Send>>;

fn upload(store: Arc<Mutex<Store>>, batch: Vec<u64>) -> Upload {
    Box::pin(async move {
        let mut s = store.lock().await;
        tokio::time::sleep(Duration::from_millis(3)).await;
        s.rows += batch.len() as u64;
        s.batches += 1;
        batch.len()
    })
}

async fn session(
    mut events: mpsc::Receiver<u64>,
    store: Arc<Mutex<Store>>,
    stats: Arc<Mutex<Stats>>,
    shipped: Arc<AtomicU64>,
) {
    let idle = tokio::time::sleep(IDLE);
    tokio::pin!(idle);
    let mut heartbeat = tokio::time::interval(Duration::from_millis(1000));
    let mut buffer: Vec<u64> = Vec::new();
    let mut upload_fut: Upload = Box::pin(std::future::ready(0));
    let mut uploading = false;
    loop {
        let mut ship = false;
        tokio::select! {
            biased;
            n = &mut upload_fut, if uploading => {
                uploading = false;
                shipped.fetch_add(n as u64, Ordering::Relaxed);
                ship = buffer.len() >= 16;
            }
            ev = events.recv() => {
                let Some(ev) = ev else { return };
                buffer.push(ev);
                idle.as_mut().reset(Instant::now() + IDLE);
                ship = buffer.len() >= 16;
            }
            _ = &mut idle => {
                idle.as_mut().reset(Instant::now() + IDLE);
                ship = !buffer.is_empty();
            }
            _ = heartbeat.tick() => {
                let mut st = stats.lock().await;
                st.beats += 1;
                st.events += buffer.len() as u64;
            }
        }
        if ship && !uploading {
            upload_fut = upload(store.clone(), std::mem::take(&mut buffer));
            uploading = true;
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_select_biased_idle_reset_pinned_upload_plain");
    let store = Arc::new(Mutex::new(Store::default()));
    let stats = Arc::new(Mutex::new(Stats::default()));
    let shipped = Arc::new(AtomicU64::new(0));

    for s in 0..3u64 {
        let (tx, rx) = mpsc::channel(32);
        tokio::spawn(async move {
            for burst in 0u64.. {
                for i in 0..1 + (burst * 7 + s) % 20 {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    if tx.send(burst * 100 + i).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        tokio::spawn(session(rx, store.clone(), stats.clone(), shipped.clone()));
    }

    let st = store.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let s = st.lock().await;
            let _ = (s.rows, s.batches);
        }
    });

    ready_when(move |_| shipped.load(Ordering::Relaxed) >= 60);
    park().await
}
