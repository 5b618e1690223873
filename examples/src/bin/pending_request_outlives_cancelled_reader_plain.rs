//! Deadlock from atusy/kakehashi#366 (bridge reader/writer actor tasks,
//! fix 1: "Pending requests hung when the reader task was cancelled"): the
//! reader loop's cancellation arm exits without `router.fail_all()`; the
//! `ResponseRouter` is `Arc`-shared with the `ConnectionHandle`, so the
//! pending oneshot senders survive the reader and an in-flight request
//! waits for a response nobody can deliver any more.
//!
//! `#[tokio::main]`, every task a plain `tokio::spawn`. A stand-in language
//! server answers each request on `to-server` after 400 ms into
//! `from-server`; the bridge's reader routes `from-server` lines to the
//! `response` oneshot filed under the request id in the router's `pending`
//! map (`std::sync::Mutex<HashMap<u64, oneshot::Sender<_>>>`). A liveness
//! monitor cancels the reader (`reader-cancel`, a `watch`) after 100 ms of
//! silence; the reader returns at once, dropping its receiver and its
//! `Arc` of the router. The hover request task owns the only
//! `ConnectionHandle`: it awaits `response`, whose sender sits in its own
//! router's map.
//!
//! Expected: one certain deadlock of the plain request task with itself
//! (waiting on `response`, whose sender only it can reach); `peeps analyze`
//! exits 1.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

struct Request {
    id: u64,
    method: &'static str,
}

struct Line {
    id: u64,
    result: String,
}

#[derive(Default)]
struct ResponseRouter {
    pending: std::sync::Mutex<HashMap<u64, oneshot::Sender<String>>>,
}

impl ResponseRouter {
    fn register(&self, id: u64) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel_named("response");
        self.pending.lock().expect("router").insert(id, tx);
        rx
    }

    fn route(&self, line: Line) {
        if let Some(tx) = self.pending.lock().expect("router").remove(&line.id) {
            let _ = tx.send(line.result);
        }
    }
}

struct ConnectionHandle {
    router: Arc<ResponseRouter>,
    to_server: mpsc::Sender<Request>,
    next_id: AtomicU64,
}

impl ConnectionHandle {
    async fn request(&self, method: &'static str) -> Option<String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let response = self.router.register(id);
        self.to_server.send(Request { id, method }).await.ok()?;
        response.await.ok()
    }
}

/// The reader: routes the server's lines until it is cancelled.
async fn reader_loop(
    router: Arc<ResponseRouter>,
    mut from_server: mpsc::Receiver<Line>,
    mut cancel: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = async { let _ = cancel.wait_for(|c| *c).await; } => {
                // The bug: no `router.fail_all()` here.
                println!("reader cancelled");
                return;
            }
            line = from_server.recv() => match line {
                Some(line) => router.route(line),
                None => return,
            },
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("pending_request_outlives_cancelled_reader_plain");
    let (to_server, mut server_inbox) = mpsc::channel_named::<Request>("to-server", 8);
    let (server_out, from_server) = mpsc::channel_named::<Line>("from-server", 8);
    let (cancel_tx, cancel_rx) = watch::channel_named("reader-cancel", false);
    let answered = Arc::new(AtomicBool::new(false));

    // The language server (a child process in kakehashi): slow to answer.
    let server_answered = answered.clone();
    tokio::spawn(async move {
        while let Some(req) = server_inbox.recv().await {
            tokio::time::sleep(Duration::from_millis(400)).await;
            let line = Line {
                id: req.id,
                result: format!("{} result", req.method),
            };
            if server_out.send(line).await.is_err() {
                println!("server: the bridge stopped reading");
            }
            server_answered.store(true, Ordering::SeqCst);
        }
    });

    let router = Arc::new(ResponseRouter::default());
    tokio::spawn(reader_loop(router.clone(), from_server, cancel_rx));
    // The liveness monitor: no line for 100 ms, cancel the reader.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = cancel_tx.send(true);
        // The monitor's own work ends here; the token stays cancelled.
        park().await
    });

    let handle = ConnectionHandle {
        router,
        to_server,
        next_id: AtomicU64::new(1),
    };
    tokio::spawn(async move {
        match handle.request("textDocument/hover").await {
            Some(r) => println!("hover: {r}"),
            None => println!("hover failed: connection closed"),
        }
    });

    ready_when(move |g| {
        answered.load(Ordering::SeqCst)
            && waited_on_for(g, NodeKind::Channel, "response", "recv")
            && waited_on_for(g, NodeKind::Channel, "to-server", "recv")
    });
    park().await
}
