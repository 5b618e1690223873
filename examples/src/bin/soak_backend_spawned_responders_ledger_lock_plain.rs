//! Healthy: a backend that answers each request from a task of its own.
//! Three plain client tasks loop: lock the shared `ledger` (a
//! `Mutex<Vec<u64>>`), send a `Request` with a `oneshot` reply sender to
//! the backend over `requests` (capacity 16) and await the reply with the
//! ledger still locked (the write depends on the answer), then record it.
//! The plain backend task receives each request and moves the reply sender
//! into a plain `tokio::spawn(async move { sleep; reply.send(..) })` that
//! answers 20-80 ms later. A plain auditor locks `ledger` every 50 ms to
//! read its length.
//!
//! So a snapshot shows the auditor and two clients waiting for `ledger`,
//! held by a client awaiting its reply, whose sender is in a responder
//! task sleeping on a timer (not with the backend, which waits for the
//! next request): not a cycle. (A first version had the backend audit
//! after spawning the responder: a true deadlock, since a client holding
//! `ledger` could have its request unread; peeps said so.) Expected, in every dump: no deadlock, nothing
//! stuck forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc, oneshot};
use std::sync::Arc;
use std::time::Duration;

struct Request {
    client: u64,
    reply: oneshot::Sender<u64>,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_backend_spawned_responders_ledger_lock_plain");
    let ledger = Arc::new(Mutex::new(Vec::<u64>::new()));
    let (backend, mut requests) = mpsc::channel::<Request>(16);

    let priced = ledger.clone();
    tokio::spawn(async move {
        let mut served = 0u64;
        while let Some(Request { client, reply }) = requests.recv().await {
            served += 1;
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20 + (client * 17 + served) % 60)).await;
                let _ = reply.send(served + client);
            });
        }
    });
    tokio::spawn(async move {
        let mut audit = tokio::time::interval(Duration::from_millis(50));
        loop {
            audit.tick().await;
            let seen = priced.lock().await.len() as u64;
            std::hint::black_box(seen);
        }
    });

    for client in 0..3u64 {
        let (ledger, backend) = (ledger.clone(), backend.clone());
        tokio::spawn(async move {
            loop {
                {
                    let mut entries = ledger.lock().await;
                    let (reply, answer) = oneshot::channel();
                    if backend.send(Request { client, reply }).await.is_err() {
                        return;
                    }
                    if let Ok(price) = answer.await {
                        entries.push(price);
                        if entries.len() > 50 {
                            entries.clear();
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(5 + client * 3)).await;
            }
        });
    }
    drop(backend);
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("lock"))
    });
    park().await
}
