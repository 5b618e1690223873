//! The caller side of an RPC: a `request` node per outgoing call, which the
//! calling future `waits_on` until the response comes.

use super::{Describe, ResourceFacts, next_call_id};
use crate::node::{NodeCore, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::wait::{Op, WaitEdge, WaitList};
use peeps_graph::{NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

// ---- caller side ----------------------------------------------------------

/// The registry entry of an outgoing call.
struct RequestEntry {
    core: NodeCore,
    method: Cow<'static, str>,
    peer: Cow<'static, str>,
    call_id: String,
    waits: Arc<WaitList>,
    answered: AtomicBool,
    facts: OnceLock<Box<dyn ResourceFacts>>,
}

impl std::fmt::Debug for RequestEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestEntry")
            .field("id", &self.core.id)
            .field("method", &self.method)
            .field("call_id", &self.call_id)
            .finish_non_exhaustive()
    }
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for RequestEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        let state = if self.answered.load(Ordering::Relaxed) {
            "done"
        } else {
            "pending"
        };
        out.state(state, self.core.created_ms);
        out.attr(attr::METHOD, self.method.as_ref());
        out.attr(attr::CALL_ID, self.call_id.as_str());
        if !self.peer.is_empty() {
            out.attr(attr::PEER, self.peer.as_ref());
        }
        // Counted from the edges written, as a resource's (resource.rs).
        let waiters = self.waits.describe(out);
        out.attr(attr::WAITERS, waiters);
        if let Some(facts) = self.facts.get() {
            facts.describe(out);
        }
    }
}

/// One outgoing RPC call: a `request` node with a fresh call id, for as
/// long as the guard lives.
///
/// Send [`id`](OutgoingCall::id) to the callee with the request, then await
/// the response through [`wait`](OutgoingCall::wait): the awaiting future
/// `waits_on` the request meanwhile. Use [`call`] when the request does not
/// need the id before it is made.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use peeps_runtime::rpc::OutgoingCall;
/// let call = OutgoingCall::new("Inventory.reserve", "inventory:7000");
/// let id = call.id().to_owned(); // goes out with the request
/// let response = call.wait(async { 3 }).await;
/// # assert!(id.contains('/'));
/// # assert_eq!(response, 3);
/// # }
/// ```
#[derive(Debug)]
pub struct OutgoingCall {
    reg: Registered<RequestEntry>,
}

impl OutgoingCall {
    /// Makes the `request` node for a call of `method` (e.g.
    /// `"Inventory.reserve"`) to `peer` (how the stack names the other side;
    /// `""` when unknown), located at the caller.
    #[track_caller]
    pub fn new(method: impl Into<Cow<'static, str>>, peer: impl Into<Cow<'static, str>>) -> Self {
        Self::at(method.into(), peer.into(), Location::caller())
    }

    fn at(
        method: Cow<'static, str>,
        peer: Cow<'static, str>,
        location: &'static Location<'static>,
    ) -> Self {
        let name = if peer.is_empty() {
            method.clone()
        } else {
            Cow::Owned(format!("{method} to {peer}"))
        };
        let core = NodeCore::new(NodeKind::Request, name, SourceLocation::Caller(location));
        crate::history::note(crate::history::EventKind::CallStart, core.id, Some(location));
        let waits = Arc::new(WaitList::new(core.id));
        OutgoingCall {
            reg: Registered::new(RequestEntry {
                core,
                method,
                peer,
                call_id: next_call_id(),
                waits,
                answered: AtomicBool::new(false),
                facts: OnceLock::new(),
            }),
        }
    }

    /// Adds facts the node reports at snapshot time (the connection the
    /// call travels on).
    pub fn with_facts(self, facts: impl ResourceFacts) -> Self {
        let _ = self.reg.facts.set(Box::new(facts));
        self
    }

    /// The call id to send to the callee: `<process key>/<n>`, unique
    /// across processes and hosts.
    pub fn id(&self) -> &str {
        &self.reg.call_id
    }

    /// The request node's id in this process's snapshots.
    pub fn node_id(&self) -> NodeId {
        self.reg.core.id
    }

    /// Awaits `response` (the future that resolves with the callee's answer)
    /// as a wait on this request: while it is pending, the awaiting future
    /// `waits_on` the request node, with op `call`.
    pub fn wait<F: Future>(&self, response: F) -> Waiting<'_, F> {
        Waiting {
            call: self,
            wait: WaitEdge::new(),
            fut: response,
        }
    }
}

/// Polls `fut` as a wait on `entry` (see [`OutgoingCall::wait`]).
fn poll_response<F: Future>(
    entry: &RequestEntry,
    wait: &mut WaitEdge,
    fut: Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    // The wakers the response future keeps are this wait's: tagged, so a
    // task blocked on the call is not taken for one something else may wake.
    let res = wait.poll_wait(|| Some(&entry.waits), Op::Call, None, cx, |cx| fut.poll(cx));
    if res.is_ready() {
        crate::history::note(crate::history::EventKind::CallEnd, entry.core.id, None);
        entry.answered.store(true, Ordering::Relaxed);
    }
    res
}

pin_project_lite::pin_project! {
    /// The response of an [`OutgoingCall`], awaited as a wait on its
    /// request node. Made by [`OutgoingCall::wait`].
    ///
    /// # Cancel safety
    ///
    /// Dropping it ends the wait (the `waits_on` edge goes); the request
    /// node stays while the [`OutgoingCall`] does.
    pub struct Waiting<'c, F> {
        call: &'c OutgoingCall,
        wait: WaitEdge,
        #[pin]
        fut: F,
    }
}

impl<F> std::fmt::Debug for Waiting<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiting")
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for Waiting<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        poll_response(&this.call.reg, this.wait, this.fut, cx)
    }
}

pin_project_lite::pin_project! {
    /// A call and its response in one future: the request node lives as
    /// long as this future. Made by [`call`].
    pub struct Call<F> {
        call: OutgoingCall,
        wait: WaitEdge,
        #[pin]
        fut: F,
    }
}

impl<F> std::fmt::Debug for Call<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("call", &self.call)
            .finish_non_exhaustive()
    }
}

impl<F> Call<F> {
    /// The call id (to send along, if the request is still to be made).
    pub fn id(&self) -> &str {
        self.call.id()
    }
}

impl<F: Future> Future for Call<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        poll_response(&this.call.reg, this.wait, this.fut, cx)
    }
}

/// Awaits `response` as an RPC call of `method` to `peer`: a `request` node
/// for as long as the future lives, which the awaiting future `waits_on`.
/// For stacks that need the call id before making the request, use
/// [`OutgoingCall`].
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let stock = peeps_runtime::rpc::call("Inventory.count", "inventory:7000", async { 12 }).await;
/// # assert_eq!(stock, 12);
/// # }
/// ```
#[track_caller]
pub fn call<F: Future>(
    method: impl Into<Cow<'static, str>>,
    peer: impl Into<Cow<'static, str>>,
    response: F,
) -> Call<F> {
    Call {
        call: OutgoingCall::new(method, peer),
        wait: WaitEdge::new(),
        fut: response,
    }
}
