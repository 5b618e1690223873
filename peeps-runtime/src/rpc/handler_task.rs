//! [`handle`]: a handler future run under its `handler` node, held by the
//! task polling it, or run as a peeps task of its own when that task is
//! not one (a plain `tokio::spawn`), so its wakers are accounted exactly.

use super::{IncomingCall, ResourceFacts};
use crate::context::{self};
use crate::task::{TaskFuture, task_future};
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

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
                guard.set_facts(facts);
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
