//! Healthy, under steady load: a synchronous database handle served from a
//! `spawn_blocking` worker. The worker owns the receiver of `queries`
//! (capacity 8) and loops on `blocking_recv()`; per query it works 2 ms,
//! `blocking_lock()`s an async `peeps::sync::Mutex` of connection stats
//! (also locked by a plain reporter), answers on the query's `oneshot`,
//! and `blocking_send`s an audit line into `audit` (capacity 1) that a
//! plain auditor drains at 6 ms a line, so the worker often parks in
//! `blocking_send` for a few ms. Six plain clients each lock their own
//! session `Mutex`, send a query and await the answer under it, then pause
//! 5-15 ms. So clients wait for the worker, the worker for the auditor, and
//! the auditor's pace ends every wait. Nothing annotated or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Query {
    key: u64,
    reply: oneshot::Sender<u64>,
}

#[derive(Default)]
struct ConnStats {
    queries: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_spawn_blocking_db_worker_replies_audit_blocking_send_plain");
    let (q_tx, mut queries) = mpsc::channel::<Query>(8);
    let (audit_tx, mut audit) = mpsc::channel::<String>(1);
    let stats = Arc::new(Mutex::new(ConnStats::default()));
    let answered = Arc::new(AtomicU64::new(0));

    {
        let stats = stats.clone();
        tokio::task::spawn_blocking(move || {
            while let Some(q) = queries.blocking_recv() {
                std::thread::sleep(Duration::from_millis(2));
                stats.blocking_lock().queries += 1;
                let _ = q.reply.send(q.key * 10);
                if audit_tx.blocking_send(format!("select {}", q.key)).is_err() {
                    return;
                }
            }
        });
    }

    tokio::spawn(async move {
        while let Some(line) = audit.recv().await {
            tokio::time::sleep(Duration::from_millis(6)).await;
            drop(line);
        }
    });

    for c in 0..6u64 {
        let (q_tx, answered) = (q_tx.clone(), answered.clone());
        let session = Arc::new(Mutex::new(0u64));
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut s = session.lock().await;
                let (reply, answer) = oneshot::channel();
                if q_tx
                    .send(Query {
                        key: c * 1000 + n,
                        reply,
                    })
                    .await
                    .is_err()
                {
                    return;
                }
                if let Ok(v) = answer.await {
                    *s = v;
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                drop(s);
                tokio::time::sleep(Duration::from_millis(5 + c * 2)).await;
            }
        });
    }
    drop(q_tx);

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let _ = stats.lock().await.queries;
        }
    });

    ready_when(move |_| answered.load(Ordering::Relaxed) >= 30);
    park().await
}
