//! RPC across processes: `request` and `handler` nodes (DESIGN.md §3).
//!
//! A deadlock that crosses a process boundary runs through an RPC: a task in
//! process A waits for the response of a call it made to B, while the task
//! serving that call in B waits for something A's task holds. peeps sees such
//! a cycle when both sides say what they do:
//!
//! - the **caller** makes a `request` node for each outgoing call, with a
//!   `call_id` unique across processes and hosts (`<process key>/<n>`), and
//!   awaits the response through it, so the calling future `waits_on` the
//!   request ([`OutgoingCall`], or [`call`] in one step);
//! - the **callee** receives that `call_id` with the call (in a header, in
//!   the request's metadata, in a frame field) and makes a `handler` node
//!   from it, `held_by` the task running the handler for as long as it runs
//!   ([`handle`], or the [`IncomingCall`] guard).
//!
//! When snapshots of both processes are merged (`peeps analyze a.json
//! b.json`, or the `peeps` server), each request is joined to its handlers
//! by a `calls` edge (exact `call_id` match), and the analysis follows
//! request → handler → task like any other wait.
//!
//! # Wiring an RPC stack
//!
//! Three lines on each side, whatever carries the bytes (tonic, tarpc,
//! HTTP, a home-made protocol):
//!
//! ```
//! use peeps_runtime::rpc;
//! # use tokio::sync::{mpsc, oneshot};
//! # struct Wire { call_id: String, body: u32, reply: oneshot::Sender<u32> }
//!
//! // Caller: make the request node, send its id with the request, await
//! // the response through it.
//! async fn double(to_server: &mpsc::Sender<Wire>, n: u32) -> Option<u32> {
//!     let call = rpc::OutgoingCall::new("Math.double", "math-server");
//!     let (reply, response) = oneshot::channel();
//!     let wire = Wire { call_id: call.id().to_owned(), body: n, reply };
//!     to_server.send(wire).await.ok()?;
//!     call.wait(response).await.ok()
//! }
//!
//! // Callee: serve each call under a handler node named by the caller's id.
//! async fn serve(mut from_clients: mpsc::Receiver<Wire>) {
//!     while let Some(wire) = from_clients.recv().await {
//!         tokio::spawn(rpc::handle("Math.double", &wire.call_id, async move {
//!             let _ = wire.reply.send(wire.body * 2);
//!         }));
//!     }
//! }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! #     let (tx, rx) = mpsc::channel(4);
//! #     tokio::spawn(serve(rx));
//! #     assert_eq!(double(&tx, 21).await, Some(42));
//! # }
//! ```
//!
//! With tonic, the id goes in a request header set by a client interceptor
//! and read in the service method; with HTTP, in a header such as
//! `peeps-call-id`; with roam, `peeps-roam` does it for you. A callee that
//! gets no id (an old client) can pass `""`: the handler node is still made,
//! it just joins no request.
//!
//! # What the wait covers
//!
//! Wrap only the wait for the response (and the send, if you like) in
//! [`OutgoingCall::wait`]: every waker the wrapped future hands out is
//! counted as this wait's, so a timeout inside it would be hidden. Put a
//! timeout *around* the wait instead.
//!
//! # Tasks
//!
//! [`handle`] makes the handler node when first polled and holds it with the
//! task polling it. When that is not a task spawned through peeps (a plain
//! `tokio::spawn`, as most RPC stacks use), it runs the handler as a peeps
//! task of its own, named `handle <method>`, so the analysis has exact waker
//! accounting for it and can call a deadlock through it `certain`.
//!
//! # Global state
//!
//! One counter for call ids. Nodes leave the registry when their guard or
//! future is dropped.

use crate::context::{self, Actor};
use crate::node::{NodeCore, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::task::{TaskFuture, task_future};
use crate::wait::{Op, WaitEdge, WaitList};
use peeps_graph::{Attrs, EdgeKind, NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

static NEXT_CALL: AtomicU64 = AtomicU64::new(1);

/// A fresh call id: `<process key>/<n>`. The process key is unique per
/// process lifetime (pid and start time), so ids never collide between
/// processes, nor between two lifetimes of one pid.
fn next_call_id() -> String {
    let n = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    format!("{}/{n}", crate::process::key())
}

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

impl Entry for RequestEntry {
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

// ---- callee side ----------------------------------------------------------

/// The registry entry of an incoming call being handled.
struct HandlerEntry {
    core: NodeCore,
    method: Cow<'static, str>,
    caller_call_id: String,
    holder: Actor,
    facts: OnceLock<Box<dyn ResourceFacts>>,
}

impl std::fmt::Debug for HandlerEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandlerEntry")
            .field("id", &self.core.id)
            .field("method", &self.method)
            .field("caller_call_id", &self.caller_call_id)
            .field("holder", &self.holder.id)
            .finish_non_exhaustive()
    }
}

impl Entry for HandlerEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        out.state("running", self.core.created_ms);
        out.attr(attr::METHOD, self.method.as_ref());
        if !self.caller_call_id.is_empty() {
            out.attr(attr::CALLER_CALL_ID, self.caller_call_id.as_str());
        }
        if let Some(facts) = self.facts.get() {
            facts.describe(out);
        }
        let mut attrs = Attrs::new();
        attrs.insert(attr::AS.into(), attr::AS_HANDLER.into());
        out.edge(
            self.core.id,
            self.holder.id,
            EdgeKind::HeldBy,
            self.core.created_ms,
            attrs,
        );
    }
}

/// One incoming RPC call being handled: a `handler` node, `held_by` the
/// task that entered it, for as long as the guard lives.
///
/// Prefer [`handle`], which also makes the handler a peeps task when the
/// stack runs it in a plain tokio task. Enter the guard from inside the
/// task that runs the handler, and keep it until the response is sent.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use peeps_runtime::rpc::IncomingCall;
/// # let caller_call_id = "4242-1763790000123456789/17";
/// let _handling = IncomingCall::enter("Inventory.reserve", caller_call_id);
/// // ... serve the call, send the response ...
/// # }
/// ```
#[derive(Debug)]
pub struct IncomingCall {
    reg: Registered<HandlerEntry>,
}

impl IncomingCall {
    /// Makes the `handler` node for a call of `method` whose caller sent
    /// `caller_call_id` (`""` if it sent none), held by the task polling now.
    #[track_caller]
    pub fn enter(method: impl Into<Cow<'static, str>>, caller_call_id: &str) -> Self {
        Self::at(method.into(), caller_call_id.to_owned(), Location::caller())
    }

    fn at(
        method: Cow<'static, str>,
        caller_call_id: String,
        location: &'static Location<'static>,
    ) -> Self {
        let core = NodeCore::new(
            NodeKind::Handler,
            method.clone(),
            SourceLocation::Caller(location),
        );
        IncomingCall {
            reg: Registered::new(HandlerEntry {
                core,
                method,
                caller_call_id,
                holder: context::current_holder(),
                facts: OnceLock::new(),
            }),
        }
    }

    /// Adds facts the node reports at snapshot time (the connection the
    /// call came on).
    pub fn with_facts(self, facts: impl ResourceFacts) -> Self {
        let _ = self.reg.facts.set(Box::new(facts));
        self
    }

    /// The handler node's id in this process's snapshots.
    pub fn node_id(&self) -> NodeId {
        self.reg.core.id
    }
}

/// What [`handle`] needs to make the handler node on its first poll.
struct Pending {
    method: Cow<'static, str>,
    caller_call_id: String,
    location: &'static Location<'static>,
    facts: Option<Box<dyn ResourceFacts>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

pin_project_lite::pin_project! {
    /// A handler future that holds its `handler` node from its first poll
    /// until it completes, with the task polling it as holder.
    struct Held<F> {
        #[pin]
        fut: F,
        pending: Option<Pending>,
        guard: Option<IncomingCall>,
    }
}

impl<F> std::fmt::Debug for Held<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("guard", &self.guard)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for Held<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if let Some(p) = this.pending.take() {
            let guard = IncomingCall::at(p.method, p.caller_call_id, p.location);
            if let Some(facts) = p.facts {
                let _ = guard.reg.facts.set(facts);
            }
            *this.guard = Some(guard);
        }
        let res = this.fut.poll(cx);
        if res.is_ready() {
            // The handler is done: its node leaves now, not when dropped.
            *this.guard = None;
        }
        res
    }
}

/// A handler not polled yet, and what its node will say.
struct Start<F> {
    fut: F,
    pending: Pending,
}

pin_project_lite::pin_project! {
    #[project = HandlingProj]
    enum Inner<F> {
        /// Not polled yet.
        Idle,
        /// Polled inside a peeps task: that task holds the handler.
        Direct { #[pin] held: Held<F> },
        /// Polled anywhere else: the handler runs as a peeps task of its own.
        Task { #[pin] task: TaskFuture<Held<F>> },
    }
}

pin_project_lite::pin_project! {
    /// A handler future serving one incoming call. Made by [`handle`].
    ///
    /// # Cancel safety
    ///
    /// Dropping it drops the handler and its node.
    pub struct Handling<F> {
        // Not pinned: the handler is moved into `inner` on the first poll,
        // before anything pins it.
        start: Option<Start<F>>,
        #[pin]
        inner: Inner<F>,
    }
}

impl<F> std::fmt::Debug for Handling<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match &self.inner {
            Inner::Idle => "not polled yet",
            Inner::Direct { .. } => "in the task polling it",
            Inner::Task { .. } => "as a task of its own",
        };
        f.debug_struct("Handling")
            .field("runs", &how)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for Handling<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if let Some(Start { fut, pending }) = this.start.take() {
            // Who polls decides who holds the handler (not who made it: a
            // peeps task may `tokio::spawn` the handler).
            let frame = context::current();
            let in_peeps_task = frame.tracked && frame.task != 0;
            let task_name =
                (!in_peeps_task).then(|| Cow::Owned(format!("handle {}", pending.method)));
            let location = pending.location;
            let held = Held {
                fut,
                pending: Some(pending),
                guard: None,
            };
            this.inner.set(match task_name {
                None => Inner::Direct { held },
                Some(name) => Inner::Task {
                    task: task_future(name, location, held),
                },
            });
        }
        match this.inner.project() {
            HandlingProj::Direct { held } => held.poll(cx),
            HandlingProj::Task { task } => task.poll(cx),
            // `start` is taken on the first poll, which leaves Idle.
            HandlingProj::Idle => unreachable!("a Handling left Idle on its first poll"),
        }
    }
}

/// Serves one incoming call of `method` as `handler`: a `handler` node named
/// by the caller's `caller_call_id` (`""` if it sent none), held by the task
/// running it, from its first poll until it completes.
///
/// Where it is polled decides who holds the handler: inside a task spawned
/// through peeps, that task; anywhere else (a plain `tokio::spawn`, as most
/// RPC stacks use), `handler` runs as a peeps task of its own named
/// `handle <method>`, polled in place (nothing is spawned).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # let caller_call_id = "4242-1763790000123456789/17";
/// let served = tokio::spawn(peeps_runtime::rpc::handle("Inventory.count", caller_call_id, async {
///     12 // the response
/// }));
/// # assert_eq!(served.await.unwrap(), 12);
/// # }
/// ```
#[track_caller]
pub fn handle<F: Future>(
    method: impl Into<Cow<'static, str>>,
    caller_call_id: &str,
    handler: F,
) -> Handling<F> {
    handle_at(
        method.into(),
        caller_call_id,
        None,
        Location::caller(),
        handler,
    )
}

/// As [`handle`], with facts the handler node reports at snapshot time
/// (the connection the call came on).
#[track_caller]
pub fn handle_with_facts<F: Future>(
    method: impl Into<Cow<'static, str>>,
    caller_call_id: &str,
    facts: impl ResourceFacts,
    handler: F,
) -> Handling<F> {
    handle_at(
        method.into(),
        caller_call_id,
        Some(Box::new(facts)),
        Location::caller(),
        handler,
    )
}

fn handle_at<F: Future>(
    method: Cow<'static, str>,
    caller_call_id: &str,
    facts: Option<Box<dyn ResourceFacts>>,
    location: &'static Location<'static>,
    handler: F,
) -> Handling<F> {
    let pending = Pending {
        method,
        caller_call_id: caller_call_id.to_owned(),
        location,
        facts,
    };
    Handling {
        start: Some(Start {
            fut: handler,
            pending,
        }),
        inner: Inner::Idle,
    }
}

pub use crate::node::Describe;
pub use crate::resource::ResourceFacts;

#[cfg(test)]
mod tests {
    use super::*;
    use peeps_graph::{Options, Snapshot};
    use std::time::Duration;

    fn nodes_of(snap: &Snapshot, kind: NodeKind) -> Vec<&peeps_graph::Node> {
        snap.nodes.iter().filter(|n| n.kind == kind).collect()
    }

    #[test]
    fn call_ids_are_unique_and_name_the_process() {
        let a = OutgoingCall::new("S.m", "p");
        let b = OutgoingCall::new("S.m", "p");
        assert_ne!(a.id(), b.id());
        let key = crate::process::key();
        assert!(a.id().starts_with(&format!("{key}/")), "{}", a.id());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn request_is_waited_on_and_handler_is_held_by_its_task() {
        let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
        let (id_tx, id_rx) = tokio::sync::oneshot::channel::<String>();
        let (resp_tx, resp_rx) = tokio::sync::oneshot::channel::<u32>();
        let caller = crate::spawn_named("caller", async move {
            let call = OutgoingCall::new("Svc.work", "server");
            id_tx.send(call.id().to_owned()).unwrap();
            call.wait(resp_rx).await.unwrap()
        });
        let id = id_rx.await.unwrap();
        let server = tokio::spawn(handle("Svc.work", &id, async move {
            go_rx.await.unwrap();
            resp_tx.send(7).unwrap();
        }));
        // Wait (bounded) until both sides are pending and visible.
        let has =
            |n: &peeps_graph::Node, key: &str| n.attrs.get(key).is_some_and(|v| v == id.as_str());
        let mut snap = crate::snapshot();
        // At most about 30 s: only a stalled machine takes more than a few ms.
        for _ in 0..3000 {
            let req = snap.nodes.iter().find(|n| has(n, attr::CALL_ID));
            let waited = req.is_some_and(|r| {
                snap.edges
                    .iter()
                    .any(|e| e.to == r.id && e.kind == EdgeKind::WaitsOn)
            });
            if waited && snap.nodes.iter().any(|n| has(n, attr::CALLER_CALL_ID)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            snap = crate::snapshot();
        }
        let req = nodes_of(&snap, NodeKind::Request)
            .into_iter()
            .find(|n| has(n, attr::CALL_ID));
        let req = req.expect("request node");
        assert_eq!(req.attrs[attr::METHOD], "Svc.work");
        assert_eq!(req.attrs[attr::PEER], "server");
        assert_eq!(req.name, "Svc.work to server");
        let wait = snap
            .edges
            .iter()
            .find(|e| e.to == req.id && e.kind == EdgeKind::WaitsOn)
            .expect("waits_on");
        assert_eq!(wait.attrs[attr::OP], peeps_graph::Op::Call.as_str());
        let waiter = snap.nodes.iter().find(|n| n.id == wait.from).unwrap();
        assert_eq!(waiter.name, "caller");
        let handler = nodes_of(&snap, NodeKind::Handler)
            .into_iter()
            .find(|n| has(n, attr::CALLER_CALL_ID))
            .expect("handler node");
        let held = snap
            .edges
            .iter()
            .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
            .expect("held_by");
        assert_eq!(held.attrs[attr::AS], attr::AS_HANDLER);
        let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
        assert_eq!(task.kind, NodeKind::Task);
        assert_eq!(task.name, "handle Svc.work");
        assert_eq!(task.attrs[attr::TRACKED], true);
        // Merging stitches request -> handler.
        let merged = peeps_graph::merge(std::slice::from_ref(&snap));
        let g = merged.graph();
        assert!(g.edge_indices().any(|e| g[e].kind == EdgeKind::Calls));

        go_tx.send(()).unwrap();
        assert_eq!(caller.await.unwrap(), 7);
        server.await.unwrap();
        let after = crate::snapshot();
        assert!(
            !after
                .nodes
                .iter()
                .any(|n| has(n, attr::CALL_ID) || has(n, attr::CALLER_CALL_ID))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handler_inside_a_peeps_task_is_held_by_that_task() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
        let outer = crate::spawn_named("conn", async move {
            handle("Svc.inline", "k/1", async move {
                entered_tx.send(()).unwrap();
                rx.await.unwrap();
            })
            .await;
        });
        entered_rx.await.unwrap();
        let snap = crate::snapshot();
        let handler = nodes_of(&snap, NodeKind::Handler)
            .into_iter()
            .find(|n| {
                n.attrs
                    .get(attr::CALLER_CALL_ID)
                    .is_some_and(|v| v == "k/1")
            })
            .expect("handler node");
        let held = snap
            .edges
            .iter()
            .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
            .unwrap();
        let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
        assert_eq!(task.name, "conn");
        tx.send(()).unwrap();
        outer.await.unwrap();
    }

    /// Regression: the holder was decided where `handle` was called, so a
    /// peeps task that `tokio::spawn`s the handler was taken as its holder.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_handler_spawned_from_a_peeps_task_runs_as_its_own_task() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
        let acceptor = crate::spawn_named("acceptor", async move {
            let served = tokio::spawn(handle("Svc.spawned", "k/2", async move {
                entered_tx.send(()).unwrap();
                rx.await.unwrap();
            }));
            served.await.unwrap();
        });
        entered_rx.await.unwrap();
        let snap = crate::snapshot();
        let handler = nodes_of(&snap, NodeKind::Handler)
            .into_iter()
            .find(|n| {
                n.attrs
                    .get(attr::CALLER_CALL_ID)
                    .is_some_and(|v| v == "k/2")
            })
            .expect("handler node");
        let held = snap
            .edges
            .iter()
            .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
            .unwrap();
        let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
        assert_eq!(task.name, "handle Svc.spawned");
        tx.send(()).unwrap();
        acceptor.await.unwrap();
    }

    /// One process calling itself through a lock: the analysis follows
    /// request -> calls -> handler -> task and finds the cycle.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_cycle_through_an_rpc_is_a_deadlock() {
        use crate::hold::HoldAs;
        use crate::resource::Resource;
        // A lock-like resource held by the caller, wanted by the handler.
        let lock = Resource::new(NodeKind::Mutex);
        let lock2 = lock.clone();
        let (id_tx, id_rx) = tokio::sync::oneshot::channel::<String>();
        let _caller = crate::spawn_named("caller", async move {
            let hold = lock2.holders().acquire(HoldAs::Guard, true, None);
            let call = OutgoingCall::new("Svc.back", "self");
            id_tx.send(call.id().to_owned()).unwrap();
            call.wait(std::future::pending::<()>()).await;
            lock2.holders().release(hold);
        });
        let id = id_rx.await.unwrap();
        let lock3 = lock.clone();
        let _server = tokio::spawn(handle("Svc.back", &id, async move {
            let mut wait: WaitEdge = WaitEdge::new();
            std::future::poll_fn(|_cx| {
                wait.begin(lock3.waits(), Op::Lock, None);
                Poll::<()>::Pending
            })
            .await;
        }));
        let options = Options::default().settle_ms(0);
        let mut found = None;
        // At most about 30 s: only a stalled machine takes more than a few ms.
        for _ in 0..3000 {
            let snap = crate::snapshot();
            let report = peeps_graph::analyze(std::slice::from_ref(&snap), &options);
            if let Some(d) = report.deadlocks.first() {
                found = Some(d.text.clone());
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let text = found.expect("a deadlock through the RPC");
        assert!(
            text.contains("handled by task \"handle Svc.back\""),
            "{text}"
        );
        assert!(
            text.contains("waits for the response to request \"Svc.back to self\""),
            "{text}"
        );
    }
}
