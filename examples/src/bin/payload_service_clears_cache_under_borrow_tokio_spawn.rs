//! Deadlock from a bug report: paradigmxyz/reth#22971 ("fix: don't
//! deadlock on repeated payloads"), a regression of #22855. reth's
//! `PayloadBuilderService` is a hand-written `Future` the node spawns as
//! a task; its `poll` drains the `service_rx` command channel. It caches
//! the last resolved payload in a `watch` channel (`cached_payload_tx` /
//! `cached_payload_rx`), and #22855 made a new payload job clear a stale
//! cached payload with the same id:
//!
//! ```text
//! if let Some((cached_id, _, _)) = &*this.cached_payload_rx.borrow() &&
//!     *cached_id == id
//! {
//!     let _ = this.cached_payload_tx.send(None);
//! }
//! ```
//!
//! The `Ref` from `borrow()` is a temporary of the `if let` scrutinee and
//! lives through the whole block: `send` takes the write side of the
//! watch value's blocking lock while the same poll holds its read side.
//! "Right now always deadlocks when entered": the first time the engine
//! asks for a payload whose id is the cached one, the service's worker
//! thread parks for good.
//!
//! Written as reth does it: the service is a plain `Future` impl, spawned
//! with plain `tokio::spawn`; the engine (here `main`) sends
//! `BuildNewPayload` and `Resolve` commands with oneshot replies on the
//! unbounded `payload-service` channel. The engine builds a payload,
//! resolves it (cached), then asks for a job with the same attributes
//! again (the same id).
//!
//! Expected: one `certain` deadlock of the plain service task with itself
//! over watch channel `cached-payload` (its send waits on its own read
//! guard), a blocking poll; `main` behind, waiting for the reply on
//! `new-payload-reply`.

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::{mpsc, oneshot, watch};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

type PayloadId = u64;

#[derive(Clone, Debug)]
struct BuiltPayload {
    block_number: u64,
    fees: u128,
}

/// The cached payload: its id, its timestamp, the payload.
type CachedPayload = Option<(PayloadId, u64, BuiltPayload)>;

#[derive(Clone, Copy, Debug)]
struct PayloadAttributes {
    parent: u64,
    timestamp: u64,
}

impl PayloadAttributes {
    fn payload_id(&self) -> PayloadId {
        self.parent * 1_000 + self.timestamp
    }
}

enum PayloadServiceCommand {
    BuildNewPayload(PayloadAttributes, oneshot::Sender<PayloadId>),
    Resolve(PayloadId, oneshot::Sender<Option<BuiltPayload>>),
}

struct PayloadJob {
    id: PayloadId,
    attributes: PayloadAttributes,
}

impl PayloadJob {
    fn best_payload(&self) -> BuiltPayload {
        BuiltPayload {
            block_number: self.attributes.parent + 1,
            fees: u128::from(self.attributes.timestamp) * 7,
        }
    }
}

struct PayloadBuilderService {
    service_rx: mpsc::UnboundedReceiver<PayloadServiceCommand>,
    cached_payload_tx: watch::Sender<CachedPayload>,
    cached_payload_rx: watch::Receiver<CachedPayload>,
    payload_jobs: Vec<PayloadJob>,
}

impl PayloadBuilderService {
    /// Resolves a job: the cached payload if it is this id's, else the
    /// job's best, which is cached and the job terminated.
    fn resolve(&mut self, id: PayloadId) -> Option<BuiltPayload> {
        if let Some((cached, _, payload)) = &*self.cached_payload_rx.borrow()
            && *cached == id
        {
            return Some(payload.clone());
        }
        let job = self.payload_jobs.iter().position(|job| job.id == id)?;
        let job = self.payload_jobs.swap_remove(job);
        let payload = job.best_payload();
        let _ = self
            .cached_payload_tx
            .send(Some((id, job.attributes.timestamp, payload.clone())));
        Some(payload)
    }
}

impl Future for PayloadBuilderService {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            match this.service_rx.poll_recv(cx) {
                Poll::Ready(Some(cmd)) => match cmd {
                    PayloadServiceCommand::BuildNewPayload(attributes, reply) => {
                        let id = attributes.payload_id();
                        if !this.payload_jobs.iter().any(|job| job.id == id) {
                            // Clear stale cached payload for this id so
                            // resolve() never returns an outdated result
                            // from a previous job with the same id.
                            if let Some((cached_id, _, _)) = &*this.cached_payload_rx.borrow()
                                && *cached_id == id
                            {
                                let _ = this.cached_payload_tx.send(None);
                            }
                            this.payload_jobs.push(PayloadJob { id, attributes });
                        }
                        let _ = reply.send(id);
                    }
                    PayloadServiceCommand::Resolve(id, reply) => {
                        let _ = reply.send(this.resolve(id));
                    }
                },
                Poll::Ready(None) => return Poll::Ready(()),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("payload_service_clears_cache_under_borrow_tokio_spawn");
    let (to_service, service_rx) = mpsc::unbounded_channel_named("payload-service");
    let (cached_payload_tx, cached_payload_rx) = watch::channel_named("cached-payload", None);
    tokio::spawn(PayloadBuilderService {
        service_rx,
        cached_payload_tx,
        cached_payload_rx,
        payload_jobs: Vec::new(),
    });
    ready_when(|g| waited_on_for(g, NodeKind::Channel, "cached-payload", "write"));

    let attributes = PayloadAttributes {
        parent: 21,
        timestamp: 1_700,
    };
    // forkchoiceUpdated with attributes: a new payload job.
    let (reply, id) = oneshot::channel_named("new-payload-reply");
    let _ = to_service.send(PayloadServiceCommand::BuildNewPayload(attributes, reply));
    let id = id.await.expect("the service answers");
    // getPayload: resolved, and cached.
    let (reply, payload) = oneshot::channel_named("resolve-reply");
    let _ = to_service.send(PayloadServiceCommand::Resolve(id, reply));
    let payload = payload
        .await
        .expect("the service answers")
        .expect("a payload");
    println!(
        "resolved {id}: block {}, fees {}",
        payload.block_number, payload.fees
    );
    // The same attributes again: the same id, now the cached one.
    let (reply, id) = oneshot::channel_named("new-payload-reply");
    let _ = to_service.send(PayloadServiceCommand::BuildNewPayload(attributes, reply));
    let id = id.await.expect("the service answers");
    println!("rebuilding {id}");
    park().await
}
