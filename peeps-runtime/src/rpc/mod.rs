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
//!
//! # Layout
//!
//! - `caller`: the `request` node, [`OutgoingCall`] and [`call`];
//! - `callee`: the `handler` node and the [`IncomingCall`] guard;
//! - `handler_task`: [`handle`], which runs a handler future under its node
//!   (as a peeps task of its own when it is not inside one).

mod callee;
mod caller;
mod handler_task;
#[cfg(test)]
mod tests;

pub use callee::IncomingCall;
pub use caller::{Call, OutgoingCall, Waiting, call};
pub use handler_task::{Handling, handle, handle_with_facts};
pub use crate::node::Describe;
pub use crate::resource::ResourceFacts;

use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_CALL: AtomicU64 = AtomicU64::new(1);

/// A fresh call id: `<process key>/<n>`. The process key is unique per
/// process lifetime (pid and start time), so ids never collide between
/// processes, nor between two lifetimes of one pid.
pub(super) fn next_call_id() -> String {
    let n = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    format!("{}/{n}", crate::process::key())
}
