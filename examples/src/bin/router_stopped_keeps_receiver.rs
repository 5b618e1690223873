//! Deadlock: a node's router leaves its loop on the first stop request
//! but keeps its request receiver (a field of `self`) while it waits for
//! its workers; a worker that asks to stop the node a second time sends
//! into the open channel and waits for an acknowledgement nobody will
//! read (build-trust/ockam#3105, "Dangling channel receiver in Router":
//! "just stop context twice ... hangs": the router exited its event loop,
//! but its receiver was not dropped, so the send succeeds and the
//! context waits for the ack forever).
//!
//! `main` starts the `router` and asks it to start the `app` worker,
//! which holds a `Context` (a sender of `router-requests`). The app does
//! its work and stops the node; its cleanup then stops it again. The
//! router answers the first `StopNode` on its `stop-ack` oneshot, breaks
//! out of its loop, and joins its workers. `main` waits for the router.
//!
//! Expected: one `certain` deadlock of `app` (receiving on the second
//! `stop-ack`, whose sender is in an unread message on `router-requests`,
//! whose receiver is with `router`) and `router` (joining `app`); `main`
//! behind it (joining `router`).

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
    peeps::install_sigusr1("router_stopped_keeps_receiver");
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
    examples::ready_when(|g| {
        examples::waited_on_for(g, peeps::graph::NodeKind::Channel, "stop-ack", "recv")
            && examples::waited_on_for(g, peeps::graph::NodeKind::Task, "app", "join")
    });
    let _ = router.await;
    examples::park().await
}
