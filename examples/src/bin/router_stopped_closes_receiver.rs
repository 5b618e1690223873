//! Healthy twin of `router_stopped_keeps_receiver`: the fix of
//! build-trust/ockam#3105. The router closes its request receiver when it
//! leaves its loop, so a second stop request fails at once ("router
//! gone") instead of waiting for an acknowledgement nobody will read.
//!
//! `main` starts the `router` and asks it to start the `app` worker. The
//! app stops the node, then stops it again in its cleanup and is told the
//! router is gone; it ends, the router's join of it ends, and `main`'s
//! join of the router ends.
//!
//! Expected: no deadlock, nothing stuck forever, no potential deadlock.

use peeps::sync::{mpsc, oneshot};
use std::time::Duration;

enum RouterMessage {
    StartWorker {
        name: &'static str,
        started: oneshot::Sender<()>,
    },
    StopNode {
        ack: oneshot::Sender<()>,
    },
}

#[derive(Debug)]
struct NodeError(&'static str);

#[derive(Clone)]
struct Context {
    router: mpsc::Sender<RouterMessage>,
}

impl Context {
    async fn stop(&self) -> Result<(), NodeError> {
        let (ack, acked) = oneshot::channel_named("stop-ack");
        self.router
            .send(RouterMessage::StopNode { ack })
            .await
            .map_err(|_| NodeError("router gone"))?;
        acked.await.map_err(|_| NodeError("no ack"))
    }

    async fn start_worker(&self, name: &'static str) -> Result<(), NodeError> {
        let (started, done) = oneshot::channel_named("worker-started");
        self.router
            .send(RouterMessage::StartWorker { name, started })
            .await
            .map_err(|_| NodeError("router gone"))?;
        done.await.map_err(|_| NodeError("not started"))
    }
}

struct Router {
    requests: mpsc::Receiver<RouterMessage>,
    context: Context,
    workers: Vec<peeps::JoinHandle<()>>,
}

impl Router {
    #[peeps::instrument]
    async fn run(mut self) {
        while let Some(message) = self.requests.recv().await {
            match message {
                RouterMessage::StartWorker { name, started } => {
                    let ctx = self.context.clone();
                    self.workers.push(peeps::spawn_named(name, app(ctx)));
                    let _ = started.send(());
                }
                RouterMessage::StopNode { ack } => {
                    let _ = ack.send(());
                    break;
                }
            }
        }
        // No more requests: a late stop must fail, not wait.
        self.requests.close();
        // Shutting down: wait for the workers to finish.
        for worker in self.workers.drain(..) {
            let _ = worker.await;
        }
    }
}

#[peeps::instrument]
async fn app(ctx: Context) {
    // The application's work.
    tokio::time::sleep(Duration::from_millis(20)).await;
    if let Err(e) = ctx.stop().await {
        println!("stop: {}", e.0);
    }
    // Cleanup, as the worker's shutdown path always does.
    if let Err(e) = ctx.stop().await {
        println!("stop again: {}", e.0);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("router_stopped_closes_receiver");
    let (requests_tx, requests_rx) = mpsc::channel_named("router-requests", 16);
    let ctx = Context {
        router: requests_tx,
    };
    let router = Router {
        requests: requests_rx,
        context: ctx.clone(),
        workers: Vec::new(),
    };
    let router = peeps::spawn_named("router", router.run());
    ctx.start_worker("app").await.expect("start app");
    drop(ctx);
    let _ = router.await;
    examples::ready();
    examples::park().await
}
