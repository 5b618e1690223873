//! Healthy, under steady load: a batch writer. Plain `tokio::spawn`, no
//! peeps annotation, no names.
//!
//! Producers push records into `buffer` (a `Mutex<Vec<_>>`) and, past 32
//! records, `notify_one` the flusher (a `Notify`). The flusher wakes on
//! that or on a 50 ms tick, swaps the whole `Vec` out of the mutex with
//! `std::mem::take` (the guard is a temporary: gone at the end of the
//! statement) and writes the batch outside it, under the `file` mutex,
//! for 20-60 ms; a failed write (every seventh) puts the batch back at
//! the front of `buffer` while it still holds `file`. A reader locks
//! `file` alone, holding it 30 ms to copy a segment out. So the only
//! nesting is `file` then `buffer`, and nothing holding `buffer` waits.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Notify};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Writer {
    buffer: Mutex<Vec<u64>>,
    file: Mutex<Vec<u64>>,
    flush_now: Notify,
    flushed: AtomicU64,
}

impl Writer {
    async fn append(&self, record: u64) {
        let len = {
            let mut buffer = self.buffer.lock().await;
            buffer.push(record);
            buffer.len()
        };
        if len > 32 {
            self.flush_now.notify_one();
        }
    }

    async fn flush(&self, round: u64) {
        let batch = std::mem::take(&mut *self.buffer.lock().await);
        if batch.is_empty() {
            return;
        }
        let mut file = self.file.lock().await;
        tokio::time::sleep(Duration::from_millis(20 + round % 40)).await;
        if round.is_multiple_of(7) {
            // the write failed: put the batch back in front
            let mut buffer = self.buffer.lock().await;
            let newer = std::mem::replace(&mut *buffer, batch);
            buffer.extend(newer);
            return;
        }
        file.extend(batch.iter().take(4));
        if file.len() > 256 {
            file.clear();
        }
        self.flushed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_batch_writer_swap_vec_plain");
    let writer = Arc::new(Writer {
        buffer: Mutex::new(Vec::new()),
        file: Mutex::new(Vec::new()),
        flush_now: Notify::new(),
        flushed: AtomicU64::new(0),
    });
    for p in 0..4u64 {
        let writer = writer.clone();
        tokio::spawn(async move {
            for n in 0u64.. {
                writer.append(p * 1_000_000 + n).await;
                tokio::time::sleep(Duration::from_millis(1 + p)).await;
            }
        });
    }
    {
        let writer = writer.clone();
        tokio::spawn(async move {
            for round in 1u64.. {
                tokio::select! {
                    _ = writer.flush_now.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(50)) => {}
                }
                writer.flush(round).await;
            }
        });
    }
    {
        let writer = writer.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(70)).await;
                let file = writer.file.lock().await;
                tokio::time::sleep(Duration::from_millis(30)).await;
                std::hint::black_box(file.len());
            }
        });
    }
    let ready = writer.clone();
    ready_when(move |_| ready.flushed.load(Ordering::Relaxed) >= 10);
    park().await
}
