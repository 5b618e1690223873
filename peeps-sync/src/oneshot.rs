//! An instrumented one-shot channel, as `tokio::sync::oneshot`.
//!
//! One `channel` node with `flavor: oneshot`, registered when either end
//! first waits (a oneshot made per request and answered at once never
//! costs a node; see `peeps_runtime::__private::resource::PairEnd`). The sender and
//! the receiver are `held_by` edges (`as: sender | receiver`) attributed to
//! the task that made the channel, `confirmed: false` until used; awaiting
//! the receiver is a `waits_on` edge with `op: recv`, whose releaser is the
//! sender's task.

use crate::channel::ChannelFacts;
use crate::core::{At, Waiting, block_on_wait, caller, poll_recorded_lazy};
use peeps_graph::{Evidence, Op};
use peeps_runtime::__private::ownership;
use peeps_runtime::__private::resource::PairEnd;
use peeps_runtime::__private::wait::Site;
use peeps_runtime::__private::wait::WaitEdge;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The channel's error types: tokio's own.
pub mod error {
    pub use tokio::sync::oneshot::error::*;
}
use error::{RecvError, TryRecvError};

/// Sends one value to the associated [`Receiver`], as tokio's
/// `oneshot::Sender`.
pub struct Sender<T> {
    inner: tokio::sync::oneshot::Sender<T>,
    end: End,
    /// The wait of a pending [`Sender::poll_closed`].
    poll_wait: WaitEdge,
}

/// Receives the value from the associated [`Sender`]; a future, as tokio's
/// `oneshot::Receiver`. While pending: a `waits_on` edge (`op: recv`).
///
/// # Cancel safety
///
/// As tokio's: the receiver may be polled again after a `select!` branch
/// lost; no value is lost.
pub struct Receiver<T> {
    inner: tokio::sync::oneshot::Receiver<T>,
    end: End,
    wait: WaitEdge,
}

/// Creates a one-shot channel, named after the call site, as
/// `tokio::sync::oneshot::channel`.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (tx, rx) = peeps_sync::oneshot::channel();
/// tx.send(3).unwrap();
/// assert_eq!(rx.await, Ok(3));
/// # }
/// ```
#[track_caller]
#[inline]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    channel_at(Location::caller())
}

/// As [`channel`], naming the channel's node `name`.
#[track_caller]
pub fn channel_named<T>(name: impl Into<Cow<'static, str>>) -> (Sender<T>, Receiver<T>) {
    let (mut tx, rx) = channel_at(Location::caller());
    tx.end.rename(name);
    (tx, rx)
}

/// One end of the channel's node (end 0 the sender, end 1 the receiver).
type End = PairEnd<ChannelFacts>;

#[inline]
fn channel_at<T>(location: &'static Location<'static>) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (end_tx, end_rx) = End::pair(location);
    (
        Sender {
            inner: tx,
            end: end_tx,
            poll_wait: WaitEdge::new(),
        },
        Receiver {
            inner: rx,
            end: end_rx,
            wait: WaitEdge::new(),
        },
    )
}

/// The handle address of `end`, for endpoint attribution.
#[inline]
fn addr(end: &End) -> *const () {
    std::ptr::from_ref(end).cast()
}

/// Polls a wait of the end `end` for `op`, made by the call at `at`, used
/// by the current task: the pair's node is registered (linked) only if the
/// wait is pending.
#[inline]
fn poll_end<R>(
    end: &mut End,
    op: Op,
    at: Site,
    edge: &mut WaitEdge,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<R>,
) -> Poll<R> {
    let handle = addr(end);
    end.touch(handle);
    poll_recorded_lazy(move || end.link(handle), op, at, edge, cx, poll)
}

/// The receiver got `value`: both sides count one message, the sender is
/// gone (consumed by `send`), and the handles inside the value are the
/// receiving task's.
#[inline]
fn delivered<T>(end: &End, value: &T) {
    ownership::taken(value, Evidence::Received);
    if let Some(f) = end.facts() {
        f.tx().record_once();
        f.rx().record_once();
    }
    end.partner_gone();
}

impl<T> Sender<T> {
    /// Renames the channel's node (shared by both endpoints).
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.end.rename(name);
        self
    }

    /// Sends the value, as tokio's `send`. The sender is gone at once: if
    /// the receiver waited (so the channel has a node), its `held_by` edge
    /// goes as this returns, before the receiver is polled again.
    ///
    /// # Errors
    ///
    /// The value back when the receiver is gone or closed.
    #[inline]
    pub fn send(mut self, t: T) -> Result<(), T> {
        // If the receiver registered the pair's node, link to it: the send
        // is counted there, and the hold released as `end` drops. (Checked
        // in place: on a copy of the end moved out just before, the check
        // would read what the move had just written, a store-forwarding
        // stall that cost more than the check.)
        self.end.link_registered();
        let Sender { inner, end, .. } = self;
        // The value waits in the pair's node for the receiver: handles in
        // it travel there (when the pair has no node, nobody waits yet, and
        // the receiver takes them over when it gets the value).
        if let Some(node) = end.node_id() {
            ownership::carried(&t, node);
        }
        let r = inner.send(t);
        if let Err(t) = &r {
            ownership::taken(t, Evidence::Returned);
        }
        if r.is_ok()
            && let Some(f) = end.facts()
        {
            f.tx().record_once();
        }
        r
    }

    /// Completes when the receiver is dropped or closed, as tokio's
    /// `closed`. Pending: `waits_on` with `op: closed`, recording this
    /// call's site (`#[track_caller]`: a plain `fn` returning the future,
    /// as an `async fn` cannot take it).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn closed(&mut self) -> impl Future<Output = ()> {
        let at = At::caller();
        async move {
            let Sender { inner, end, .. } = self;
            let handle = addr(end);
            Waiting::new(end.link(handle), Op::Closed, at.site(), inner.closed()).await;
            end.partner_gone();
        }
    }

    /// Whether the receiver is gone or closed, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Polls for the receiver closing, as tokio's `poll_closed`; a pending
    /// poll's edge stays in the sender until a later poll completes, and
    /// names the call site of the poll that began it (`#[track_caller]`).
    #[track_caller]
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Sender {
            inner,
            end,
            poll_wait,
        } = self;
        let at = caller();
        let p = poll_end(end, Op::Closed, at, poll_wait, cx, |cx| {
            inner.poll_closed(cx)
        });
        if p.is_ready() {
            end.partner_gone();
        }
        p
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Renames the channel's node (shared by both endpoints).
    pub fn named(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.end.rename(name);
        self
    }

    /// Stops the sender from sending, as tokio's `close`.
    pub fn close(&mut self) {
        self.inner.close();
        if let Some(f) = self.end.facts() {
            f.close();
        }
    }

    /// Whether the value was received or the channel closed, as tokio's.
    pub fn is_terminated(&self) -> bool {
        self.inner.is_terminated()
    }

    /// Whether no value is waiting, as tokio's.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Takes the value if sent, as tokio's `try_recv`.
    ///
    /// # Errors
    ///
    /// [`TryRecvError`]: not sent yet, or the sender is gone.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let r = self.inner.try_recv();
        self.end.touch(addr(&self.end));
        match &r {
            Ok(v) => delivered(&self.end, v),
            Err(TryRecvError::Closed) => self.end.partner_gone(),
            Err(TryRecvError::Empty) => {}
        }
        r
    }

    /// Blockingly waits for the value, as tokio's `blocking_recv`; the wait
    /// records this call's site.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender dropped without sending.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        let Receiver { inner, mut end, .. } = self;
        let handle = addr(&end);
        let r = block_on_wait!(end.link(handle), Op::Recv, inner.blocking_recv());
        match &r {
            Ok(v) => delivered(&end, v),
            Err(_) => end.partner_gone(),
        }
        r
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Receiver { inner, end, wait } = self.get_mut();
        // Polled by `.await` or a combinator: no call of the user's to name.
        let p = poll_end(end, Op::Recv, None, wait, cx, |cx| Pin::new(inner).poll(cx));
        match &p {
            Poll::Ready(Ok(v)) => delivered(end, v),
            Poll::Ready(Err(_)) => end.partner_gone(),
            Poll::Pending => {}
        }
        p
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("inner", &self.inner)
            .finish()
    }
}
