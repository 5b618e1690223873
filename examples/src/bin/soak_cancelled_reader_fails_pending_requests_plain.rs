//! The fixed twin of `pending_request_outlives_cancelled_reader_plain`
//! (atusy/kakehashi#366): the reader's cancellation arm calls
//! `router.fail_all()`, dropping every pending `response` sender, so an
//! in-flight request fails at once with "connection closed" and the caller
//! reconnects.
//!
//! Plain `tokio::spawn` tasks throughout. Each generation `main` starts a
//! stand-in server (answering after 400 ms on odd generations, 20 ms on
//! even ones), a reader, a liveness monitor (cancelling the reader after
//! 100 ms of silence) and a request task that sends two requests, giving
//! up on the connection at the first failure; `main` awaits the request
//! task, then drops the connection.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{mpsc, oneshot, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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

    /// The fix: every pending request fails when the reader goes.
    fn fail_all(&self) {
        self.pending.lock().expect("router").clear();
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

async fn reader_loop(
    router: Arc<ResponseRouter>,
    mut from_server: mpsc::Receiver<Line>,
    mut cancel: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = async { let _ = cancel.wait_for(|c| *c).await; } => {
                router.fail_all();
                return;
            }
            line = from_server.recv() => match line {
                Some(line) => router.route(line),
                None => {
                    router.fail_all();
                    return;
                }
            },
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_cancelled_reader_fails_pending_requests_plain");
    for generation in 0u64.. {
        let delay = if generation % 2 == 1 { 400 } else { 20 };
        let (to_server, mut server_inbox) = mpsc::channel_named::<Request>("to-server", 8);
        let (server_out, from_server) = mpsc::channel_named::<Line>("from-server", 8);
        let (cancel_tx, cancel_rx) = watch::channel_named("reader-cancel", false);
        tokio::spawn(async move {
            while let Some(req) = server_inbox.recv().await {
                tokio::time::sleep(Duration::from_millis(delay)).await;
                let line = Line {
                    id: req.id,
                    result: format!("{} result", req.method),
                };
                if server_out.send(line).await.is_err() {
                    break;
                }
            }
        });
        let router = Arc::new(ResponseRouter::default());
        tokio::spawn(reader_loop(router.clone(), from_server, cancel_rx));
        let monitor = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let _ = cancel_tx.send(true);
        });
        let handle = ConnectionHandle {
            router,
            to_server,
            next_id: AtomicU64::new(1),
        };
        let requests = tokio::spawn(async move {
            let mut ok = 0;
            for method in ["textDocument/hover", "textDocument/definition"] {
                // A failed request means the connection is gone: reconnect
                // (the next generation) rather than file another request.
                match handle.request(method).await {
                    Some(_) => ok += 1,
                    None => break,
                }
            }
            ok
        });
        let ok = requests.await.expect("the request task ends");
        let _ = monitor.await;
        println!("generation {generation}: {ok} answered");
        if generation == 3 {
            ready();
        }
    }
}
