//! Healthy, under steady load: cancellation-aware request handling. Four
//! callers (two `peeps::spawn_named`, two plain `tokio::spawn`) send a
//! `Request` with a `oneshot` reply sender named `answer` into `requests`
//! and await the answer under a 400 ms timeout (giving up drops the
//! receiver). A `dispatcher` (`peeps::spawn_named`) receives each request
//! and hands it to a handler: a plain `tokio::spawn`ed task for even
//! ids, a `peeps::spawn_named` one for odd ids. A handler `select!`s
//! between `reply.closed()` (the caller gave up: stop) and the work: a
//! permit of `backend` (2 permits) held for 150-550 ms, then answers.
//! Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{Semaphore, mpsc, oneshot};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

struct Request {
    id: u64,
    reply: oneshot::Sender<u64>,
}

async fn handle(mut req: Request, backend: Arc<Semaphore>, cancelled: Arc<AtomicU64>) {
    let id = req.id;
    let work = async {
        let _conn = backend.acquire().await.expect("never closed");
        tokio::time::sleep(Duration::from_millis(150 + (id * 83) % 400)).await;
        id * 2
    };
    tokio::select! {
        _ = req.reply.closed() => {
            cancelled.fetch_add(1, Ordering::Relaxed);
        }
        v = work => {
            let _ = req.reply.send(v);
        }
    }
}

#[peeps::instrument]
async fn dispatch(
    mut requests: mpsc::Receiver<Request>,
    backend: Arc<Semaphore>,
    cancelled: Arc<AtomicU64>,
) {
    while let Some(req) = requests.recv().await {
        if req.id.is_multiple_of(2) {
            tokio::spawn(handle(req, backend.clone(), cancelled.clone()));
        } else {
            peeps::spawn_named("handler", handle(req, backend.clone(), cancelled.clone()));
        }
    }
}

async fn call_loop(
    who: u64,
    requests: mpsc::Sender<Request>,
    answered: Arc<AtomicU64>,
    gave_up: Arc<AtomicU64>,
) {
    for n in 0u64.. {
        let (reply, answer) = oneshot::channel_named("answer");
        let req = Request {
            id: n * 4 + who,
            reply,
        };
        if requests.send(req).await.is_err() {
            return;
        }
        match tokio::time::timeout(Duration::from_millis(400), answer).await {
            Ok(Ok(_)) => answered.fetch_add(1, Ordering::Relaxed),
            Ok(Err(_)) => return,
            Err(_) => gave_up.fetch_add(1, Ordering::Relaxed),
        };
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_oneshot_closed_cancel_aware");
    let (tx, rx) = mpsc::channel_named("requests", 8);
    let backend = Arc::new(Semaphore::new(2).named("backend"));
    let answered = Arc::new(AtomicU64::new(0));
    let gave_up = Arc::new(AtomicU64::new(0));
    let cancelled = Arc::new(AtomicU64::new(0));
    peeps::spawn_named("dispatcher", dispatch(rx, backend, cancelled.clone()));
    for who in 0..2 {
        peeps::spawn_named(
            format!("caller-{who}"),
            call_loop(who, tx.clone(), answered.clone(), gave_up.clone()),
        );
        tokio::spawn(call_loop(
            who + 2,
            tx.clone(),
            answered.clone(),
            gave_up.clone(),
        ));
    }
    drop(tx);
    ready_when(move |g| {
        answered.load(Ordering::Relaxed) >= 6
            && cancelled.load(Ordering::Relaxed) >= 2
            && waited_on_for(g, NodeKind::Channel, "answer", "recv")
    });
    examples::park().await
}
