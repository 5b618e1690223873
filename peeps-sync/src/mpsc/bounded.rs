//! The bounded mpsc channel.

use super::error::{SendError, SendTimeoutError, TrySendError};
use crate::channel::{Chan, Endpoint, Rx, Tx, flavor, new_chan};
use crate::core::{At, Waiting, block_on_wait};
use peeps_graph::Op;
use peeps_runtime::__private::wait::WaitEdge;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::Location;
use std::time::Duration;

/// Sends values to the associated [`Receiver`]: tokio's `mpsc::Sender`,
/// a `held_by` edge (`as: sender`) while it lives.
pub struct Sender<T> {
    inner: tokio::sync::mpsc::Sender<T>,
    ep: Endpoint<Tx>,
}

/// A sender that does not keep the channel open, as tokio's
/// `mpsc::WeakSender`; no edge of its own.
pub struct WeakSender<T> {
    inner: tokio::sync::mpsc::WeakSender<T>,
    chan: Chan,
}

/// A reserved slot in the channel, as tokio's `mpsc::Permit`.
pub struct Permit<'a, T> {
    /// Taken out by `send`, else dropped by the permit's drop.
    inner: ManuallyDrop<tokio::sync::mpsc::Permit<'a, T>>,
    ep: &'a Endpoint<Tx>,
}

/// An iterator of reserved slots, as tokio's `mpsc::PermitIterator`.
pub struct PermitIterator<'a, T> {
    inner: tokio::sync::mpsc::PermitIterator<'a, T>,
    ep: &'a Endpoint<Tx>,
}

/// An owned reserved slot, as tokio's `mpsc::OwnedPermit`: it carries the
/// sender (and its edge) until used.
pub struct OwnedPermit<T> {
    /// Both taken out by `send` and `release`, else dropped by the
    /// permit's drop.
    inner: ManuallyDrop<tokio::sync::mpsc::OwnedPermit<T>>,
    ep: ManuallyDrop<Endpoint<Tx>>,
}

/// Receives values from the associated [`Sender`]: tokio's
/// `mpsc::Receiver`, a `held_by` edge (`as: receiver`) while it lives.
pub struct Receiver<T> {
    inner: tokio::sync::mpsc::Receiver<T>,
    ep: Endpoint<Rx>,
    /// The wait of a pending [`Receiver::poll_recv`].
    poll_wait: WaitEdge,
}

/// Creates a bounded channel of `buffer` messages, named after the call
/// site, as `tokio::sync::mpsc::channel`.
///
/// # Panics
///
/// As tokio's: when `buffer` is 0 or more than `Semaphore::MAX_PERMITS`.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (tx, mut rx) = peeps_sync::mpsc::channel(8);
/// tx.send(1).await.unwrap();
/// assert_eq!(rx.recv().await, Some(1));
/// # }
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    channel_at(Location::caller(), buffer)
}

/// As [`channel`], naming the channel's node `name`.
///
/// # Panics
///
/// As [`channel`].
#[track_caller]
pub fn channel_named<T>(
    name: impl Into<Cow<'static, str>>,
    buffer: usize,
) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = channel_at(Location::caller(), buffer);
    tx.ep.rename(name);
    (tx, rx)
}

#[track_caller] // tokio's panic on a zero buffer names the user's call
fn channel_at<T>(location: &'static Location<'static>, buffer: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = tokio::sync::mpsc::channel(buffer);
    let chan = new_chan(location, flavor::MPSC, Some(buffer));
    let ep_tx = Endpoint::new(chan.clone());
    let ep_rx = Endpoint::new(chan);
    (
        Sender {
            inner: tx,
            ep: ep_tx,
        },
        Receiver {
            inner: rx,
            ep: ep_rx,
            poll_wait: WaitEdge::new(),
        },
    )
}

super::receiver::receiver_impl!(Receiver);

impl<T> Receiver<T> {
    /// The free capacity now, as tokio's.
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// The capacity the channel was made with, as tokio's.
    pub fn max_capacity(&self) -> usize {
        self.inner.max_capacity()
    }
}

impl<T> Sender<T> {
    /// Renames the channel's node (shared by every endpoint).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.ep.rename(name);
        self
    }

    /// Sends a value, waiting for room, as tokio's `send`. Pending (channel
    /// full): `waits_on` with `op: send`, recording this call's site
    /// (`#[track_caller]`: a plain `fn` returning the future, as an
    /// `async fn` cannot take it).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the value when the receiver is gone.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future loses the value and the place in the
    /// queue.
    #[track_caller]
    pub fn send(&self, value: T) -> impl Future<Output = Result<(), SendError<T>>> {
        let at = At::caller();
        async move {
            self.ep.used();
            self.ep.carry(&value);
            let r = Waiting::new(
                self.ep.resource(),
                Op::Send,
                at.site(),
                self.inner.send(value),
            )
            .await;
            self.ep.sent(&r, at.site());
            r
        }
    }

    /// Completes when the receiver has dropped or closed, as tokio's
    /// `closed`. Pending: `waits_on` with `op: closed`, recording this
    /// call's site.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn closed(&self) -> impl Future<Output = ()> {
        let at = At::caller();
        self.ep.wait_closed(at, self.inner.closed())
    }

    /// Sends a value if there is room now, as tokio's `try_send`.
    ///
    /// # Errors
    ///
    /// [`TrySendError`]: full or closed, with the value.
    #[track_caller]
    pub fn try_send(&self, message: T) -> Result<(), TrySendError<T>> {
        self.ep.carry(&message);
        let r = self.inner.try_send(message);
        self.ep.sent(&r, crate::core::caller());
        r
    }

    /// Sends a value, waiting at most `timeout` for room, as tokio's
    /// `send_timeout`. Pending: `waits_on` with `op: send`, recording this
    /// call's site.
    ///
    /// # Errors
    ///
    /// [`SendTimeoutError`]: timed out or closed, with the value.
    ///
    /// # Panics
    ///
    /// As tokio's: outside a runtime with the time driver enabled.
    #[track_caller]
    pub fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> impl Future<Output = Result<(), SendTimeoutError<T>>> {
        let at = At::caller();
        async move {
            self.ep.used();
            self.ep.carry(&value);
            let send = self.inner.send_timeout(value, timeout);
            let r = Waiting::new(self.ep.resource(), Op::Send, at.site(), send).await;
            self.ep.sent(&r, at.site());
            r
        }
    }

    /// Blockingly sends a value, as tokio's `blocking_send`; the wait
    /// records this call's site.
    ///
    /// # Errors
    ///
    /// [`SendError`] with the value when the receiver is gone.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        self.ep.used();
        self.ep.carry(&value);
        let r = block_on_wait!(
            self.ep.resource(),
            Op::Send,
            self.inner.blocking_send(value)
        );
        self.ep.sent(&r, crate::core::caller());
        r
    }

    /// Whether the receiver is gone or closed, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Waits for room and reserves one slot, as tokio's `reserve`.
    /// Pending: `waits_on` with `op: send`, recording this call's site.
    ///
    /// # Errors
    ///
    /// [`SendError`] when the receiver is gone.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn reserve(&self) -> impl Future<Output = Result<Permit<'_, T>, SendError<()>>> {
        let at = At::caller();
        async move {
            self.ep.used();
            let inner = Waiting::new(
                self.ep.resource(),
                Op::Send,
                at.site(),
                self.inner.reserve(),
            )
            .await?;
            Ok(Permit::new(inner, &self.ep))
        }
    }

    /// Waits for room and reserves `n` slots, as tokio's `reserve_many`.
    /// Pending: `waits_on` with `op: send`, recording this call's site.
    ///
    /// # Errors
    ///
    /// [`SendError`] when the receiver is gone or `n` exceeds the capacity.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn reserve_many(
        &self,
        n: usize,
    ) -> impl Future<Output = Result<PermitIterator<'_, T>, SendError<()>>> {
        let at = At::caller();
        async move {
            self.ep.used();
            let reserve = self.inner.reserve_many(n);
            let inner = Waiting::new(self.ep.resource(), Op::Send, at.site(), reserve).await?;
            Ok(PermitIterator::new(inner, &self.ep))
        }
    }

    /// Waits for room and reserves one slot, consuming the sender, as
    /// tokio's `reserve_owned`. Pending: `waits_on` with `op: send`,
    /// recording this call's site.
    ///
    /// # Errors
    ///
    /// [`SendError`] when the receiver is gone.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn reserve_owned(self) -> impl Future<Output = Result<OwnedPermit<T>, SendError<()>>> {
        let at = At::caller();
        async move {
            let Sender { inner, ep } = self;
            ep.used();
            let inner =
                Waiting::new(ep.resource(), Op::Send, at.site(), inner.reserve_owned()).await?;
            Ok(OwnedPermit::new(inner, ep))
        }
    }

    /// Reserves a slot if there is room now, as tokio's `try_reserve`.
    ///
    /// # Errors
    ///
    /// [`TrySendError`]: full or closed.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        let inner = self.inner.try_reserve()?;
        Ok(Permit::new(inner, &self.ep))
    }

    /// Reserves `n` slots if there is room now, as tokio's
    /// `try_reserve_many`.
    ///
    /// # Errors
    ///
    /// [`TrySendError`]: full or closed.
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        let inner = self.inner.try_reserve_many(n)?;
        Ok(PermitIterator::new(inner, &self.ep))
    }

    /// Reserves a slot if there is room now, consuming the sender, as
    /// tokio's `try_reserve_owned`.
    ///
    /// # Errors
    ///
    /// [`TrySendError`]: full or closed, with the sender.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        let Sender { inner, ep } = self;
        match inner.try_reserve_owned() {
            Ok(inner) => {
                ep.used();
                Ok(OwnedPermit::new(inner, ep))
            }
            Err(TrySendError::Full(inner)) => Err(TrySendError::Full(Sender { inner, ep })),
            Err(TrySendError::Closed(inner)) => Err(TrySendError::Closed(Sender { inner, ep })),
        }
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// The free capacity now, as tokio's.
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// A weak sender of the same channel, as tokio's `downgrade`.
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            inner: self.inner.downgrade(),
            chan: self.ep.chan().clone(),
        }
    }

    /// The capacity the channel was made with, as tokio's.
    pub fn max_capacity(&self) -> usize {
        self.inner.max_capacity()
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

crate::channel::sender_impls!(Sender, WeakSender, "chan");

impl<'a, T> Permit<'a, T> {
    /// A permit of `ep`'s channel just reserved: its slot counted as
    /// reserved until the permit is used or dropped.
    fn new(inner: tokio::sync::mpsc::Permit<'a, T>, ep: &'a Endpoint<Tx>) -> Self {
        ep.reserved(1);
        Permit {
            inner: ManuallyDrop::new(inner),
            ep,
        }
    }

    /// Sends a value in the reserved slot, as tokio's `Permit::send`.
    #[track_caller]
    pub fn send(self, value: T) {
        let mut this = ManuallyDrop::new(self);
        this.ep.unreserved(1);
        this.ep.carry(&value);
        // SAFETY: `this` is never used or dropped again; its own drop (which
        // would give the slot back) does not run.
        let inner = unsafe { ManuallyDrop::take(&mut this.inner) };
        inner.send(value);
        this.ep.counted(1, crate::core::caller());
    }
}

impl<T> Drop for Permit<'_, T> {
    /// The slot given back unused.
    fn drop(&mut self) {
        self.ep.unreserved(1);
        // SAFETY: dropped once, here; `send` forgets the permit instead.
        unsafe { ManuallyDrop::drop(&mut self.inner) };
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<'a, T> PermitIterator<'a, T> {
    /// Permits of `ep`'s channel just reserved: each slot counted as
    /// reserved until its permit is used or dropped (the ones never taken
    /// out when the iterator drops).
    fn new(inner: tokio::sync::mpsc::PermitIterator<'a, T>, ep: &'a Endpoint<Tx>) -> Self {
        ep.reserved(inner.len());
        PermitIterator { inner, ep }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Self::Item> {
        let inner = self.inner.next()?;
        // Its slot, counted when reserved, now goes with the permit.
        Some(Permit {
            inner: ManuallyDrop::new(inner),
            ep: self.ep,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<T> Drop for PermitIterator<'_, T> {
    /// The slots never taken out are given back.
    fn drop(&mut self) {
        self.ep.unreserved(self.inner.len());
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}
impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<T> OwnedPermit<T> {
    /// A permit of `ep`'s channel just reserved: its slot counted as
    /// reserved until the permit is used, released or dropped.
    fn new(inner: tokio::sync::mpsc::OwnedPermit<T>, ep: Endpoint<Tx>) -> Self {
        ep.reserved(1);
        OwnedPermit {
            inner: ManuallyDrop::new(inner),
            ep: ManuallyDrop::new(ep),
        }
    }

    /// Takes the permit apart without running its drop, the slot no longer
    /// counted as reserved.
    fn into_parts(self) -> (tokio::sync::mpsc::OwnedPermit<T>, Endpoint<Tx>) {
        let mut this = ManuallyDrop::new(self);
        this.ep.unreserved(1);
        // SAFETY: `this` is never used or dropped again, so each field is
        // moved out once and its drop does not run.
        unsafe {
            (
                ManuallyDrop::take(&mut this.inner),
                ManuallyDrop::take(&mut this.ep),
            )
        }
    }

    /// Sends a value in the reserved slot and gives the sender back, as
    /// tokio's `OwnedPermit::send`.
    #[track_caller]
    pub fn send(self, value: T) -> Sender<T> {
        let (inner, ep) = self.into_parts();
        ep.carry(&value);
        let inner = inner.send(value);
        ep.counted(1, crate::core::caller());
        Sender { inner, ep }
    }

    /// Gives the slot back unused and returns the sender, as tokio's
    /// `release`.
    pub fn release(self) -> Sender<T> {
        let (inner, ep) = self.into_parts();
        Sender {
            inner: inner.release(),
            ep,
        }
    }

    /// Whether both permits belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }

    /// Whether this permit and `sender` belong to the same channel.
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.inner.same_channel_as_sender(&sender.inner)
    }
}

impl<T> Drop for OwnedPermit<T> {
    /// The slot given back unused, then the sender dropped.
    fn drop(&mut self) {
        self.ep.unreserved(1);
        // SAFETY: dropped once, here; `send` and `release` take the fields
        // out of a permit whose drop does not run.
        unsafe {
            ManuallyDrop::drop(&mut self.inner);
            ManuallyDrop::drop(&mut self.ep);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit")
            .field("inner", &self.inner)
            .finish()
    }
}
