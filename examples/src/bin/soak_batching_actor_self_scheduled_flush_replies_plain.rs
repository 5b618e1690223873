//! Healthy, under steady load: an actor that answers in batches on a flush
//! it schedules itself. The actor owns an `mpsc` inbox (capacity 16) and
//! keeps a clone of its own `Sender`; requests carry a `oneshot` reply
//! sender, which the actor files in a `Vec` of pending replies. On the
//! first request of a batch it spawns a plain delay task with a clone of
//! its sender that sleeps 250 ms and sends `Flush`; on `Flush` it locks a
//! `peeps::sync::Mutex` of the store, writes the batch, and answers every
//! pending reply. Six plain clients loop: each locks its own session
//! `Mutex` and, holding it, `send`s a request and awaits the reply (up to
//! 250 ms), then pauses 20-70 ms; a plain monitor locks every session in
//! turn each 40 ms. So most of the time every client waits for the actor,
//! and the actor waits on an inbox whose other senders are those clients:
//! the delay task it spawned ends every such wait. Nothing annotated or
//! named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

enum Msg {
    Put(u64, oneshot::Sender<u64>),
    Flush,
}

#[derive(Clone)]
struct Handle {
    tx: mpsc::Sender<Msg>,
}

impl Handle {
    async fn put(&self, v: u64) -> Option<u64> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(Msg::Put(v, reply)).await.ok()?;
        answer.await.ok()
    }
}

async fn actor(me: mpsc::Sender<Msg>, mut inbox: mpsc::Receiver<Msg>, store: Arc<Mutex<Vec<u64>>>) {
    let mut pending: Vec<(u64, oneshot::Sender<u64>)> = Vec::new();
    let mut batches = 0u64;
    while let Some(msg) = inbox.recv().await {
        match msg {
            Msg::Put(v, reply) => {
                if pending.is_empty() {
                    let me = me.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        let _ = me.send(Msg::Flush).await;
                    });
                }
                pending.push((v, reply));
            }
            Msg::Flush => {
                batches += 1;
                let mut s = store.lock().await;
                for (v, _) in &pending {
                    s.push(*v);
                }
                if s.len() > 1024 {
                    s.clear();
                }
                drop(s);
                for (_, reply) in pending.drain(..) {
                    let _ = reply.send(batches);
                }
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_batching_actor_self_scheduled_flush_replies_plain");
    let store = Arc::new(Mutex::new(Vec::new()));
    let (tx, inbox) = mpsc::channel(16);
    tokio::spawn(actor(tx.clone(), inbox, store.clone()));
    let handle = Handle { tx };
    let answered = Arc::new(AtomicU64::new(0));

    let sessions: Vec<Arc<Mutex<u64>>> = (0..6).map(|_| Arc::new(Mutex::new(0))).collect();
    for (i, session) in sessions.iter().enumerate() {
        let (handle, session, answered) = (handle.clone(), session.clone(), answered.clone());
        tokio::spawn(async move {
            for n in 0u64.. {
                let mut s = session.lock().await;
                if let Some(batch) = handle.put(n).await {
                    *s = batch;
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                drop(s);
                tokio::time::sleep(Duration::from_millis(20 + 10 * i as u64)).await;
            }
        });
    }
    drop(handle);

    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(40)).await;
            for s in &sessions {
                let _ = *s.lock().await;
            }
        }
    });

    ready_when(move |_| answered.load(Ordering::Relaxed) >= 12);
    park().await
}
