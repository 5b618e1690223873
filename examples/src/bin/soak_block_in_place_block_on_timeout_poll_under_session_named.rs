//! Healthy, under steady load: a sync SDK's "poll for the next event, with
//! a timeout" called from async code the documented way,
//! `tokio::task::block_in_place(|| handle.block_on(...))`. A client
//! task loops: it locks the async `peeps::sync::Mutex` of its session and,
//! holding it, polls for the next event with
//! `block_in_place(|| handle.block_on(timeout(700 ms, events.recv())))`,
//! then records the event (or the timeout) in the session. A
//! notifier sends an event into `events` (capacity 2) every 30 ms, but
//! every fourth one carries the session's version, so it locks the session
//! first. When the client drains the queue and waits under the session
//! while the notifier waits for the session, neither can go on until the
//! client's 700 ms timeout fires: the client then lets the session go and
//! the notifier sends. A cycle of waits a timer breaks, every time. Two
//! workers; a auditor reads the session every 100 ms (it waits out
//! the same timeout). Every task is a `peeps::spawn_named` one; nothing else is named.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Mutex, mpsc};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[derive(Default)]
struct Session {
    version: u64,
    events: u64,
    timeouts: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    peeps::install_sigusr1("soak_block_in_place_block_on_timeout_poll_under_session_named");
    let session = Arc::new(Mutex::new(Session::default()));
    let (tx, mut events) = mpsc::channel::<u64>(2);
    let timeouts = Arc::new(AtomicU64::new(0));
    let handled = Arc::new(AtomicU64::new(0));

    {
        let session = session.clone();
        peeps::spawn_named("notifier", async move {
            for n in 0u64.. {
                tokio::time::sleep(Duration::from_millis(30)).await;
                let ev = if n.is_multiple_of(4) {
                    session.lock().await.version
                } else {
                    n
                };
                if tx.send(ev).await.is_err() {
                    return;
                }
            }
        });
    }

    {
        let (session, timeouts, handled) = (session.clone(), timeouts.clone(), handled.clone());
        let handle = tokio::runtime::Handle::current();
        peeps::spawn_named("client", async move {
            loop {
                let mut s = session.lock().await;
                let next = tokio::task::block_in_place(|| {
                    handle.block_on(async {
                        tokio::time::timeout(Duration::from_millis(700), events.recv()).await
                    })
                });
                match next {
                    Ok(Some(_ev)) => {
                        s.events += 1;
                        s.version += 1;
                        handled.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => return,
                    Err(_elapsed) => {
                        s.timeouts += 1;
                        timeouts.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(s);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        });
    }

    peeps::spawn_named("auditor", async move {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let s = session.lock().await;
            let _ = (s.events, s.timeouts);
        }
    });

    ready_when(move |_| {
        handled.load(Ordering::Relaxed) >= 10 && timeouts.load(Ordering::Relaxed) >= 1
    });
    park().await
}
