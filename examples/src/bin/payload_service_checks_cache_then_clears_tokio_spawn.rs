//! The fix of paradigmxyz/reth#22971: the stale cached payload is checked
//! with `borrow().as_ref().is_some_and(..)`, so the `Ref` is gone before
//! the `send(None)` that clears it. The twin of
//! `payload_service_clears_cache_under_borrow_tokio_spawn`, the engine
//! building, resolving and rebuilding the same payload again and again.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
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
                            if this
                                .cached_payload_rx
                                .borrow()
                                .as_ref()
                                .is_some_and(|(cached_id, _, _)| *cached_id == id)
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
    peeps::install_sigusr1("payload_service_checks_cache_then_clears_tokio_spawn");
    let (to_service, service_rx) = mpsc::unbounded_channel_named("payload-service");
    let (cached_payload_tx, cached_payload_rx) = watch::channel_named("cached-payload", None);
    tokio::spawn(PayloadBuilderService {
        service_rx,
        cached_payload_tx,
        cached_payload_rx,
        payload_jobs: Vec::new(),
    });
    for round in 0u64.. {
        let attributes = PayloadAttributes {
            parent: 21 + round % 3,
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
        // The same attributes again: the same id, its stale cache cleared.
        let (reply, again) = oneshot::channel_named("new-payload-reply");
        let _ = to_service.send(PayloadServiceCommand::BuildNewPayload(attributes, reply));
        let again = again.await.expect("the service answers");
        // And resolved again, from the new job.
        let (reply, rebuilt) = oneshot::channel_named("resolve-reply");
        let _ = to_service.send(PayloadServiceCommand::Resolve(again, reply));
        let rebuilt = rebuilt
            .await
            .expect("the service answers")
            .expect("a payload");
        if round == 0 {
            println!(
                "resolved {id}: block {}, fees {}; rebuilt block {}",
                payload.block_number, payload.fees, rebuilt.block_number
            );
            ready();
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
}
