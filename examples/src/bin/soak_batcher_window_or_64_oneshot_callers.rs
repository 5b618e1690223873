//! Healthy, idle after a burst, then a trickle: a write batcher that
//! collects requests for 50 ms or until 64 have come, whichever is
//! first, and flushes them together; each caller awaits its own
//! `batch-reply` oneshot. The batcher is `peeps::spawn_named`; callers
//! are `#[peeps::instrument]` fns run by a `tokio::task::JoinSet`.
//!
//! The batcher `select!`s on its `batch-requests` inbox and on a
//! `sleep_until` of the window's deadline (armed by the first request of
//! a batch; with an empty batch it awaits the inbox alone). A flush takes
//! the `store` mutex, appends, lets it go, and answers every caller with
//! its row number. 12 callers send 40 writes each, some concurrently, a
//! `trickle` task one write every 700 ms afterwards; between writes the
//! batcher waits on its inbox.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_millis(50);
const MAX_BATCH: usize = 64;

struct Write {
    payload: String,
    reply: oneshot::Sender<usize>,
}

#[derive(Clone)]
struct BatchClient {
    tx: mpsc::Sender<Write>,
}

impl BatchClient {
    async fn write(&self, payload: String) -> Option<usize> {
        let (reply, row) = oneshot::channel_named("batch-reply");
        self.tx.send(Write { payload, reply }).await.ok()?;
        row.await.ok()
    }
}

async fn flush(batch: &mut Vec<Write>, store: &Mutex<Vec<String>>, flushes: &AtomicU64) {
    if batch.is_empty() {
        return;
    }
    let first_row = {
        let mut rows = store.lock().await;
        let first = rows.len();
        rows.extend(batch.iter().map(|w| w.payload.clone()));
        first
    };
    // Pretend the flush is a round trip to the database.
    tokio::time::sleep(Duration::from_millis(3)).await;
    for (i, w) in batch.drain(..).enumerate() {
        let _ = w.reply.send(first_row + i);
    }
    flushes.fetch_add(1, Ordering::Relaxed);
}

async fn batcher(
    mut inbox: mpsc::Receiver<Write>,
    store: Arc<Mutex<Vec<String>>>,
    flushes: Arc<AtomicU64>,
) {
    let mut batch: Vec<Write> = Vec::with_capacity(MAX_BATCH);
    let mut deadline = Instant::now() + WINDOW;
    loop {
        if batch.is_empty() {
            match inbox.recv().await {
                Some(w) => {
                    deadline = Instant::now() + WINDOW;
                    batch.push(w);
                }
                None => return,
            }
            continue;
        }
        tokio::select! {
            w = inbox.recv() => match w {
                Some(w) => {
                    batch.push(w);
                    if batch.len() >= MAX_BATCH {
                        flush(&mut batch, &store, &flushes).await;
                    }
                }
                None => {
                    flush(&mut batch, &store, &flushes).await;
                    return;
                }
            },
            () = tokio::time::sleep_until(deadline) => {
                flush(&mut batch, &store, &flushes).await;
            }
        }
    }
}

#[peeps::instrument]
async fn caller(client: BatchClient, id: u32, answered: Arc<AtomicU64>) -> u32 {
    let mut pending = JoinSet::new();
    for n in 0..40u32 {
        let client = client.clone();
        let answered = answered.clone();
        // Half the writes go out together; the rest one after another.
        if n % 2 == 0 {
            pending.spawn(async move {
                if client.write(format!("c{id}-{n}")).await.is_some() {
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            });
        } else if client.write(format!("c{id}-{n}")).await.is_some() {
            answered.fetch_add(1, Ordering::Relaxed);
        }
    }
    while pending.join_next().await.is_some() {}
    id
}

async fn trickle(client: BatchClient) {
    let mut n = 0u64;
    loop {
        tokio::time::sleep(Duration::from_millis(700)).await;
        std::hint::black_box(client.write(format!("heartbeat-{n}")).await);
        n += 1;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_batcher_window_or_64_oneshot_callers");
    let (tx, inbox) = mpsc::channel_named("batch-requests", 128);
    let store = Arc::new(Mutex::new(Vec::new()).named("store"));
    let flushes = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("batcher", batcher(inbox, store, flushes.clone()));
    let client = BatchClient { tx };
    let mut callers = JoinSet::new();
    for id in 0..12 {
        callers.spawn(caller(client.clone(), id, answered.clone()));
    }
    while callers.join_next().await.is_some() {}
    peeps::spawn_named("trickle", trickle(client));
    ready_when(move |_| {
        answered.load(Ordering::Relaxed) == 480 && flushes.load(Ordering::Relaxed) > 0
    });
    park().await
}
