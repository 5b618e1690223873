//! Healthy: request deadlines enforced by aborting. Every 40 ms a plain
//! dispatcher task spawns a plain fetch task, keeps its `AbortHandle` with
//! a 300 ms deadline and hands its tokio `JoinHandle` over an `mpsc`
//! (capacity 64) to a plain reaper task, which awaits the handles one by
//! one (`Ok` or cancelled). A fetch takes a permit of `backend-slots`-like
//! `Semaphore` (4), sends a request with a `oneshot` reply sender to a
//! plain backend task and awaits the reply holding the permit; the backend
//! spawns a plain `async move` per request that answers after 50-600 ms.
//! The dispatcher aborts fetches past their deadline, so the reaper is
//! often awaiting a handle whose task is being aborted.
//!
//! Nothing can hang. Expected, in every dump: no deadlock, nothing stuck
//! forever, no potential deadlock.

use examples::{park, ready_when};
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::{AbortHandle, JoinHandle};

struct Request {
    id: u64,
    reply: oneshot::Sender<u64>,
}

async fn fetch(id: u64, slots: Arc<Semaphore>, backend: mpsc::Sender<Request>) -> u64 {
    let _permit = slots.acquire().await.expect("open");
    let (reply, answer) = oneshot::channel();
    if backend.send(Request { id, reply }).await.is_err() {
        return 0;
    }
    answer.await.unwrap_or(0)
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_deadline_abort_while_reaper_joins_plain");
    let slots = Arc::new(Semaphore::new(4));
    let (backend, mut requests) = mpsc::channel::<Request>(32);
    tokio::spawn(async move {
        while let Some(Request { id, reply }) = requests.recv().await {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50 + (id * 137) % 550)).await;
                let _ = reply.send(id * 2);
            });
        }
    });

    let (handles_tx, mut handles) = mpsc::channel::<JoinHandle<u64>>(64);
    tokio::spawn(async move {
        let (mut ok, mut cancelled) = (0u64, 0u64);
        while let Some(h) = handles.recv().await {
            match h.await {
                Ok(_) => ok += 1,
                Err(e) if e.is_cancelled() => cancelled += 1,
                Err(e) => panic!("fetch failed: {e}"),
            }
            if (ok + cancelled).is_multiple_of(100) {
                println!("ok {ok}, cancelled {cancelled}");
            }
        }
    });

    tokio::spawn(async move {
        let mut deadlines: Vec<(Instant, AbortHandle)> = Vec::new();
        let mut ticker = tokio::time::interval(Duration::from_millis(40));
        for id in 0u64.. {
            ticker.tick().await;
            let h = tokio::spawn(fetch(id, slots.clone(), backend.clone()));
            deadlines.push((
                Instant::now() + Duration::from_millis(300),
                h.abort_handle(),
            ));
            if handles_tx.send(h).await.is_err() {
                return;
            }
            let now = Instant::now();
            deadlines.retain(|(deadline, task)| {
                if *deadline <= now {
                    task.abort();
                    return false;
                }
                !task.is_finished()
            });
        }
    });

    // The reaper's join shows only while peeps counts its waker (once its
    // receive of `handles` has pended): the fetches' waits always show.
    ready_when(|g| {
        g.edges
            .iter()
            .any(|e| e.attrs.get("op").and_then(|v| v.as_str()) == Some("acquire"))
    });
    park().await
}
