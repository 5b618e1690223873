//! An instrumented multi-producer, multi-consumer broadcast channel, as
//! `tokio::sync::broadcast`.
//!
//! One `channel` node with `flavor: broadcast` and `capacity`; `received`
//! counts every receive by every receiver, so no `len` is reported. Each
//! sender and each receiver is a `held_by` edge; a pending `recv` is a
//! `waits_on` edge with `op: recv` (a send never waits: a slow receiver
//! lags instead).

use crate::channel::{Chan, Endpoint, Rx, Tx, flavor, new_chan};
use crate::core::{At, Waiting, block_on_wait};
use peeps_graph::Op;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::panic::Location;

/// The channel's error types: tokio's own.
pub mod error {
    pub use tokio::sync::broadcast::error::*;
}
use error::{RecvError, SendError, TryRecvError};

/// Sends values to every [`Receiver`], as tokio's `broadcast::Sender`.
pub struct Sender<T> {
    inner: tokio::sync::broadcast::Sender<T>,
    ep: Endpoint<Tx>,
}

/// A sender that does not keep the channel open, as tokio's
/// `broadcast::WeakSender`.
pub struct WeakSender<T> {
    inner: tokio::sync::broadcast::WeakSender<T>,
    chan: Chan,
}

/// Receives every value sent after it subscribed, as tokio's
/// `broadcast::Receiver`.
pub struct Receiver<T> {
    inner: tokio::sync::broadcast::Receiver<T>,
    ep: Endpoint<Rx>,
}

/// Creates a broadcast channel of `capacity` values, named after the call
/// site, as `tokio::sync::broadcast::channel`.
///
/// # Panics
///
/// As tokio's: when `capacity` is 0 or too large.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (tx, mut rx) = peeps_sync::broadcast::channel(4);
/// let mut rx2 = tx.subscribe();
/// tx.send(1).unwrap();
/// assert_eq!(rx.recv().await, Ok(1));
/// assert_eq!(rx2.recv().await, Ok(1));
/// # }
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    channel_at(Location::caller(), capacity)
}

/// As [`channel`], naming the channel's node `name`.
///
/// # Panics
///
/// As [`channel`].
#[track_caller]
pub fn channel_named<T: Clone>(
    name: impl Into<Cow<'static, str>>,
    capacity: usize,
) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = channel_at(Location::caller(), capacity);
    tx.ep.rename(name);
    (tx, rx)
}

#[track_caller]
fn channel_at<T: Clone>(
    location: &'static Location<'static>,
    capacity: usize,
) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = tokio::sync::broadcast::channel(capacity);
    let chan = new_chan(location, flavor::BROADCAST, Some(capacity));
    let ep_tx = Endpoint::new(chan.clone());
    (
        Sender {
            inner: tx,
            ep: ep_tx,
        },
        Receiver {
            inner: rx,
            ep: Endpoint::new(chan),
        },
    )
}

impl<T> Sender<T> {
    /// Creates a sender with no receiver yet, named after the call site, as
    /// tokio's `Sender::new`.
    ///
    /// # Panics
    ///
    /// As tokio's: when `capacity` is 0 or too large.
    #[track_caller]
    pub fn new(capacity: usize) -> Self {
        let inner = tokio::sync::broadcast::Sender::new(capacity);
        let chan = new_chan(Location::caller(), flavor::BROADCAST, Some(capacity));
        Sender {
            inner,
            ep: Endpoint::new(chan),
        }
    }

    /// Renames the channel's node (shared by every endpoint).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.ep.rename(name);
        self
    }

    /// Sends a value to every receiver, as tokio's `send`; returns how many
    /// receivers were subscribed.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the value when there is no receiver.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        self.ep.publish(&value);
        let r = self.inner.send(value);
        self.ep.sent(&r, crate::core::caller());
        r
    }

    /// A new receiver of values sent from now on, attributed to the task
    /// subscribing, as tokio's `subscribe`.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver {
            inner: self.inner.subscribe(),
            ep: Endpoint::new(self.ep.chan().clone()),
        }
    }

    /// A weak sender of the same channel, as tokio's `downgrade`.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            inner: self.inner.downgrade(),
            chan: self.ep.chan().clone(),
        }
    }

    /// How many values are retained for the slowest receiver, as tokio's.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no value is retained, as tokio's.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// How many receivers are subscribed, as tokio's.
    pub fn receiver_count(&self) -> usize {
        self.inner.receiver_count()
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// Completes when every receiver is gone, as tokio's `closed`. Pending:
    /// `waits_on` with `op: closed`, recording this call's site
    /// (`#[track_caller]`: a plain `fn` returning the future).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> {
        let at = At::caller();
        self.ep.wait_closed(at, self.inner.closed())
    }

    /// How many strong senders are alive, as tokio's.
    pub fn strong_count(&self) -> usize {
        self.inner.strong_count()
    }

    /// How many weak senders are alive, as tokio's.
    pub fn weak_count(&self) -> usize {
        self.inner.weak_count()
    }
}

crate::channel::sender_impls!(Sender, WeakSender, "inner");

impl<T> Receiver<T> {
    /// Renames the channel's node (shared by every endpoint).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.ep.rename(name);
        self
    }

    /// How many values this receiver has yet to receive, as tokio's.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether this receiver is caught up, as tokio's.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// How many strong senders are alive, as tokio's.
    pub fn sender_strong_count(&self) -> usize {
        self.inner.sender_strong_count()
    }

    /// How many weak senders are alive, as tokio's.
    pub fn sender_weak_count(&self) -> usize {
        self.inner.sender_weak_count()
    }

    /// Whether every sender is gone, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl<T: Clone> Receiver<T> {
    /// A new receiver starting at the newest value, attributed to the task
    /// calling, as tokio's `resubscribe`.
    pub fn resubscribe(&self) -> Self {
        Receiver {
            inner: self.inner.resubscribe(),
            ep: Endpoint::new(self.ep.chan().clone()),
        }
    }

    /// Receives the next value, as tokio's `recv`. Pending: `waits_on` with
    /// `op: recv`, recording this call's site (`#[track_caller]`: a plain
    /// `fn` returning the future, as an `async fn` cannot take it).
    ///
    /// # Errors
    ///
    /// [`RecvError`]: closed, or lagged behind.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn recv(&mut self) -> impl Future<Output = Result<T, RecvError>> {
        let at = At::caller();
        async move {
            let Receiver { inner, ep } = self;
            ep.used();
            let r = Waiting::new(ep.resource(), Op::Recv, at.site(), inner.recv()).await;
            ep.counted(u64::from(r.is_ok()), at.site());
            r
        }
    }

    /// Receives a value if one is ready, as tokio's `try_recv`.
    ///
    /// # Errors
    ///
    /// [`TryRecvError`]: empty, closed, or lagged behind.
    #[track_caller]
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let r = self.inner.try_recv();
        self.ep.counted(u64::from(r.is_ok()), crate::core::caller());
        r
    }

    /// Blockingly receives a value, as tokio's `blocking_recv`; the wait
    /// records this call's site.
    ///
    /// # Errors
    ///
    /// [`RecvError`]: closed, or lagged behind.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        let Receiver { inner, ep } = self;
        ep.used();
        let r = block_on_wait!(ep.resource(), Op::Recv, inner.blocking_recv());
        ep.counted(u64::from(r.is_ok()), crate::core::caller());
        r
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("inner", &self.inner)
            .finish()
    }
}
