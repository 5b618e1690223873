//! Healthy, under steady load: a multi-thread runtime with a single
//! worker thread (`worker_threads = 1`), and `main` running a
//! `tokio::task::LocalSet` (`run_until`) for state that is not `Send`.
//! Four `spawn_local` session tasks share an `Rc<RefCell<..>>` registry
//! and each receives frames from its own `mpsc` (capacity 4), fed every
//! 5-20 ms by a plain `tokio::spawn` source on the worker thread; per
//! frame a session updates the registry and locks an `Arc<Mutex<..>>` of
//! totals shared with a plain auditor on the worker thread (every 30 ms,
//! it holds the totals across a 5 ms sleep). A `spawn_local` ticker
//! prints the registry every 50 ms; `main` itself awaits a `oneshot`
//! that a plain task answers after 600 ms, in a loop. Nothing annotated
//! or named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::ready_when;
use peeps::sync::{Mutex, mpsc, oneshot};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Totals {
    frames: u64,
    bytes: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    peeps::install_sigusr1("soak_one_worker_runtime_localset_sessions_plain");
    let totals = Arc::new(Mutex::new(Totals::default()));
    let frames = Arc::new(AtomicU64::new(0));

    let t = totals.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(30)).await;
            let t = t.lock().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
            let _ = (t.frames, t.bytes);
        }
    });

    let (pings_tx, mut pings) = mpsc::channel::<oneshot::Sender<u64>>(1);
    tokio::spawn(async move {
        let mut n = 0;
        while let Some(reply) = pings.recv().await {
            tokio::time::sleep(Duration::from_millis(600)).await;
            n += 1;
            let _ = reply.send(n);
        }
    });

    let local = tokio::task::LocalSet::new();
    let f = frames.clone();
    local
        .run_until(async move {
            let registry: Rc<RefCell<HashMap<u64, u64>>> = Rc::default();
            for s in 0..4u64 {
                let (tx, mut rx) = mpsc::channel::<Vec<u8>>(4);
                tokio::spawn(async move {
                    for n in 0u64.. {
                        tokio::time::sleep(Duration::from_millis(5 + s * 5)).await;
                        if tx.send(vec![0; (n % 64) as usize]).await.is_err() {
                            return;
                        }
                    }
                });
                let (reg, t, f) = (registry.clone(), totals.clone(), f.clone());
                tokio::task::spawn_local(async move {
                    while let Some(frame) = rx.recv().await {
                        *reg.borrow_mut().entry(s).or_default() += 1;
                        let mut t = t.lock().await;
                        t.frames += 1;
                        t.bytes += frame.len() as u64;
                        f.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            let reg = registry.clone();
            tokio::task::spawn_local(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let total: u64 = reg.borrow().values().sum();
                    let _ = total;
                }
            });
            let f = frames.clone();
            ready_when(move |_| f.load(Ordering::Relaxed) >= 100);
            loop {
                let (reply, answer) = oneshot::channel();
                if pings_tx.send(reply).await.is_err() {
                    return;
                }
                let _ = answer.await;
            }
        })
        .await;
}
