//! Healthy, under steady load: a group-commit writer. Six plain writers
//! each push a record with a `oneshot` ack sender into a shared
//! `Mutex<VecDeque<Pending>>` and `notify_one` a `Notify`, then await the
//! ack (no timeout: the ack always comes). The plain committer loops the
//! textbook way: it makes `notify.notified()`, pins it and `enable()`s it
//! *before* looking at the queue, so a push between the check and the
//! wait is never lost; with the queue empty it awaits the notification,
//! otherwise it waits out the rest of a 600 ms group window (a
//! `sleep_until`), drains the queue, "fsyncs" (a 5 ms sleep under the
//! `Mutex` of the log) and sends every ack. So writers wait 0-600 ms for
//! their ack, whose sender sits in the queue (on the heap) until the
//! committer takes it. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, Notify, oneshot};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

struct Pending {
    record: u64,
    ack: oneshot::Sender<u64>,
}

struct Wal {
    queue: Mutex<VecDeque<Pending>>,
    pushed: Notify,
    log: Mutex<Vec<u64>>,
}

impl Wal {
    async fn append(&self, record: u64) -> u64 {
        let (ack, done) = oneshot::channel();
        self.queue.lock().await.push_back(Pending { record, ack });
        self.pushed.notify_one();
        done.await.expect("the committer acks every record")
    }

    async fn committer(&self) {
        let window = Duration::from_millis(600);
        let mut next_commit = Instant::now() + window;
        loop {
            let notified = self.pushed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.queue.lock().await.is_empty() {
                notified.await;
                continue;
            }
            tokio::time::sleep_until(next_commit).await;
            next_commit = Instant::now() + window;
            let batch: Vec<Pending> = self.queue.lock().await.drain(..).collect();
            let lsn = {
                let mut log = self.log.lock().await;
                tokio::time::sleep(Duration::from_millis(5)).await;
                log.extend(batch.iter().map(|p| p.record));
                log.len() as u64
            };
            for p in batch {
                let _ = p.ack.send(lsn);
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_group_commit_acks_queued_notify_enabled_plain");
    let wal = Arc::new(Wal {
        queue: Mutex::new(VecDeque::new()),
        pushed: Notify::new(),
        log: Mutex::new(Vec::new()),
    });
    let acked = Arc::new(AtomicU64::new(0));

    let w = wal.clone();
    tokio::spawn(async move { w.committer().await });

    for id in 0..6u64 {
        let (w, a) = (wal.clone(), acked.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(5 + id * 7)).await;
                let lsn = w.append(id * 1_000_000 + n).await;
                assert!(lsn > 0);
                a.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    ready_when(move |_| acked.load(Ordering::Relaxed) >= 12);
    park().await
}
