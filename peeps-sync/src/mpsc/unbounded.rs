//! The unbounded mpsc channel.

use super::error::SendError;
use crate::channel::{Chan, Endpoint, Rx, Tx, flavor, new_chan};
use crate::core::At;
use peeps_runtime::__private::wait::WaitEdge;
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;

/// Sends values to the associated [`UnboundedReceiver`]: tokio's
/// `mpsc::UnboundedSender`, a `held_by` edge (`as: sender`) while it lives.
pub struct UnboundedSender<T> {
    inner: tokio::sync::mpsc::UnboundedSender<T>,
    ep: Endpoint<Tx>,
}

/// A sender that does not keep the channel open, as tokio's
/// `mpsc::WeakUnboundedSender`.
pub struct WeakUnboundedSender<T> {
    inner: tokio::sync::mpsc::WeakUnboundedSender<T>,
    chan: Chan,
}

/// Receives values from the associated [`UnboundedSender`]: tokio's
/// `mpsc::UnboundedReceiver`, a `held_by` edge (`as: receiver`).
pub struct UnboundedReceiver<T> {
    inner: tokio::sync::mpsc::UnboundedReceiver<T>,
    ep: Endpoint<Rx>,
    poll_wait: WaitEdge,
}

/// Creates an unbounded channel, named after the call site, as
/// `tokio::sync::mpsc::unbounded_channel`.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (tx, mut rx) = peeps_sync::mpsc::unbounded_channel();
/// tx.send("hi").unwrap();
/// assert_eq!(rx.recv().await, Some("hi"));
/// # }
/// ```
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    unbounded_at(Location::caller())
}

/// As [`unbounded_channel`], naming the channel's node `name`.
#[track_caller]
pub fn unbounded_channel_named<T>(
    name: impl Into<Cow<'static, str>>,
) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = unbounded_at(Location::caller());
    tx.ep.rename(name);
    (tx, rx)
}

fn unbounded_at<T>(
    location: &'static Location<'static>,
) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let chan = new_chan(location, flavor::MPSC_UNBOUNDED, None);
    let ep_tx = Endpoint::new(chan.clone());
    let ep_rx = Endpoint::new(chan);
    (
        UnboundedSender {
            inner: tx,
            ep: ep_tx,
        },
        UnboundedReceiver {
            inner: rx,
            ep: ep_rx,
            poll_wait: WaitEdge::new(),
        },
    )
}

super::receiver::receiver_impl!(UnboundedReceiver);

impl<T> UnboundedSender<T> {
    /// Renames the channel's node (shared by every endpoint).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.ep.rename(name);
        self
    }

    /// Sends a value without waiting, as tokio's `send`.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the value when the receiver is gone.
    #[track_caller]
    pub fn send(&self, message: T) -> Result<(), SendError<T>> {
        self.ep.carry(&message);
        let r = self.inner.send(message);
        self.ep.sent(&r, crate::core::caller());
        r
    }

    /// Completes when the receiver has dropped or closed, as tokio's
    /// `closed`. Pending: `waits_on` with `op: closed`, recording this
    /// call's site (`#[track_caller]`: a plain `fn` returning the future).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> {
        let at = At::caller();
        self.ep.wait_closed(at, self.inner.closed())
    }

    /// Whether the receiver is gone or closed, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// A weak sender of the same channel, as tokio's `downgrade`.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            inner: self.inner.downgrade(),
            chan: self.ep.chan().clone(),
        }
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

crate::channel::sender_impls!(UnboundedSender, WeakUnboundedSender, "chan");
