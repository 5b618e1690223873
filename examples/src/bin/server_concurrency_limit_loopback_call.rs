//! Deadlock: a server with a concurrency limit (tower's `ConcurrencyLimit`,
//! a `Semaphore` of owned permits, one per in-flight request) whose
//! handler calls the same server (a loopback call: an aggregate endpoint
//! built on another endpoint of the same service). With the limit reached,
//! the inner request waits for a permit the outer one holds until it is
//! answered (the nested-acquire pool deadlock of graph-node#1620 and
//! HikariCP#442, through a server's own concurrency limit).
//!
//! `router` reads requests from `api-requests`, takes an owned permit of
//! `in-flight` (limit 1) for each, and hands request and permit to a
//! `peeps::spawn_named` handler. The `GET /dashboard` handler asks the
//! same server for `GET /stats` through its client handle (a request
//! carrying a `response` oneshot) and awaits the response. `main` calls
//! `/dashboard`.
//!
//! Expected: one `certain` deadlock of `router` (waiting on semaphore
//! `in-flight`, whose permit was moved into `handler /dashboard`) and
//! `handler /dashboard` (waiting to receive on `response` of `/stats`,
//! whose sender `router` received and keeps); `main` behind, waiting for
//! the `/dashboard` response, whose sender the handler has.

use examples::{park, ready_when, waited_on, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use std::sync::Arc;

struct Request {
    path: &'static str,
    response: oneshot::Sender<String>,
}

#[derive(Clone)]
struct ApiClient {
    requests: mpsc::Sender<Request>,
}

impl ApiClient {
    async fn get(&self, path: &'static str) -> Option<String> {
        let (response, body) = oneshot::channel_named("response");
        self.requests.send(Request { path, response }).await.ok()?;
        body.await.ok()
    }
}

#[peeps::instrument]
async fn handle(req: Request, client: ApiClient, _permit: OwnedSemaphorePermit) {
    let body = match req.path {
        "/stats" => "{\"requests\": 42}".to_owned(),
        "/dashboard" => {
            let stats = client.get("/stats").await.unwrap_or_default();
            format!("<html>{stats}</html>")
        }
        _ => "not found".to_owned(),
    };
    let _ = req.response.send(body);
}

#[peeps::instrument]
async fn route(mut requests: mpsc::Receiver<Request>, client: ApiClient, limit: Arc<Semaphore>) {
    while let Some(req) = requests.recv().await {
        let permit = limit.clone().acquire_owned().await.expect("never closed");
        let name = format!("handler {}", req.path);
        peeps::spawn_named(name, handle(req, client.clone(), permit));
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("server_concurrency_limit_loopback_call");
    let (tx, rx) = mpsc::channel_named("api-requests", 64);
    let client = ApiClient { requests: tx };
    let limit = Arc::new(Semaphore::new(1).named("in-flight"));
    peeps::spawn_named("router", route(rx, client.clone(), limit));
    ready_when(|g| {
        waited_on(g, NodeKind::Semaphore, "in-flight")
            && waited_on_for(g, NodeKind::Channel, "response", "recv")
    });
    let page = client.get("/dashboard").await;
    println!("{page:?}");
    park().await
}
