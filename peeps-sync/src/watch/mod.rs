//! An instrumented single-producer, multi-consumer "latest value" channel,
//! as `tokio::sync::watch`.
//!
//! One `channel` node with `flavor: watch`: `sent` counts the values sent
//! (and modifications), `received` the completed `changed` and `wait_for`
//! calls. Senders and receivers are `held_by` edges; a pending `changed` or
//! `wait_for` is a `waits_on` edge with `op: changed`.
//!
//! The value is behind tokio's blocking read-write lock: each live [`Ref`]
//! is a `held_by` edge with `as: read_guard`, and each `send` (or
//! `send_modify`, `send_replace`, `send_if_modified`) a `waits_on` edge
//! with `op: write` while the call lasts, which blocks the sending thread
//! as long as a `Ref` lives (see [`Ref`]).

mod borrow;

use crate::channel::{Endpoint, Rx, Tx, flavor, new_chan};
use crate::core::{At, Waiting, block_on_wait, caller};
use peeps_graph::{Evidence, Op};
use peeps_runtime::__private::ownership;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::panic::Location;

pub use borrow::Ref;

/// The channel's error types: tokio's own.
pub mod error {
    pub use tokio::sync::watch::error::*;
}
use error::{RecvError, SendError};

/// Sends values to the associated [`Receiver`]s, as tokio's
/// `watch::Sender`.
pub struct Sender<T> {
    inner: tokio::sync::watch::Sender<T>,
    ep: Endpoint<Tx>,
}

/// Receives the latest value from the associated [`Sender`], as tokio's
/// `watch::Receiver`.
pub struct Receiver<T> {
    inner: tokio::sync::watch::Receiver<T>,
    ep: Endpoint<Rx>,
}

/// Creates a watch channel holding `init`, named after the call site, as
/// `tokio::sync::watch::channel`.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let (tx, mut rx) = peeps_sync::watch::channel("hello");
/// tx.send("world").unwrap();
/// rx.changed().await.unwrap();
/// assert_eq!(*rx.borrow_and_update(), "world");
/// # }
/// ```
#[track_caller]
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    channel_at(Location::caller(), init)
}

/// As [`channel`], naming the channel's node `name`.
#[track_caller]
pub fn channel_named<T>(name: impl Into<Cow<'static, str>>, init: T) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = channel_at(Location::caller(), init);
    tx.ep.rename(name);
    (tx, rx)
}

fn channel_at<T>(location: &'static Location<'static>, init: T) -> (Sender<T>, Receiver<T>) {
    let chan = new_chan(location, flavor::WATCH, None);
    let (tx, rx) = tokio::sync::watch::channel(init);
    let ep_tx = Endpoint::new(chan.clone());
    ep_tx.publish(&*rx.borrow());
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

impl<T> Receiver<T> {
    /// Renames the channel's node (shared by every endpoint).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.ep.rename(name);
        self
    }

    /// The latest value, without marking it seen, as tokio's `borrow`.
    /// The [`Ref`] read-locks the value: a `held_by` edge
    /// (`as: read_guard`) naming this call's site (`#[track_caller]`).
    /// Made while a send is in progress, it may park behind the send: a
    /// `waits_on` edge with `op: read` while it lasts.
    #[inline]
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        let inner = self.ep.borrow_value(|| self.inner.borrow());
        Ref::new(inner, self.ep.value_holders(), caller())
    }

    /// The latest value, marking it seen, as tokio's `borrow_and_update`;
    /// a read hold naming this call's site (and a wait behind a send in
    /// progress), as [`Receiver::borrow`].
    #[inline]
    #[track_caller]
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        self.ep.used();
        let inner = self.ep.borrow_value(|| self.inner.borrow_and_update());
        Ref::new(inner, self.ep.value_holders(), caller())
    }

    /// Whether a value not yet seen is there, as tokio's `has_changed`.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender is gone.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        self.inner.has_changed()
    }

    /// Whether the sender is gone, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// Marks the current value unseen, as tokio's `mark_changed`.
    pub fn mark_changed(&mut self) {
        self.inner.mark_changed();
    }

    /// Marks the current value seen, as tokio's `mark_unchanged`.
    pub fn mark_unchanged(&mut self) {
        self.inner.mark_unchanged();
    }

    /// Waits for a value not yet seen, as tokio's `changed`. Pending:
    /// `waits_on` with `op: changed`, recording this call's site
    /// (`#[track_caller]`: a plain `fn` returning the future, as an
    /// `async fn` cannot take it).
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender is gone.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn changed(&mut self) -> impl Future<Output = Result<(), RecvError>> {
        let at = At::caller();
        async move {
            let Receiver { inner, ep } = self;
            ep.used();
            let r = Waiting::new(ep.resource(), Op::Changed, at.site(), inner.changed()).await;
            ep.counted(u64::from(r.is_ok()), at.site());
            r
        }
    }

    /// Waits for a value satisfying `f`, as tokio's `wait_for`. Pending:
    /// `waits_on` with `op: changed`; the [`Ref`] it returns is a read
    /// hold. Both record this call's site.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender is gone first.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: cancel safe.
    #[track_caller]
    pub fn wait_for(
        &mut self,
        f: impl FnMut(&T) -> bool,
    ) -> impl Future<Output = Result<Ref<'_, T>, RecvError>> {
        let at = At::caller();
        async move {
            let Receiver { inner, ep } = self;
            ep.used();
            let r = Waiting::new(ep.resource(), Op::Changed, at.site(), inner.wait_for(f)).await;
            ep.counted(u64::from(r.is_ok()), at.site());
            r.map(|value| Ref::new(value, ep.value_holders(), at.site()))
        }
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }
}

impl<T> Clone for Receiver<T> {
    /// Another receiver, attributed to the task cloning it.
    fn clone(&self) -> Self {
        Receiver {
            inner: self.inner.clone(),
            ep: self.ep.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<T> Sender<T> {
    /// Creates a sender with no receiver yet, named after the call site, as
    /// tokio's `Sender::new`.
    #[track_caller]
    pub fn new(init: T) -> Self {
        let inner = tokio::sync::watch::Sender::new(init);
        let chan = new_chan(Location::caller(), flavor::WATCH, None);
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

    /// Sends a new value, as tokio's `send`. It write-locks the value,
    /// blocking the thread while any [`Ref`] lives: a `waits_on` edge with
    /// `op: write` for the call's duration, naming this call's site
    /// (`#[track_caller]`).
    ///
    /// # Errors
    ///
    /// [`SendError`] with the value when every receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.ep.used();
        self.ep.publish(&value);
        let _writing = self.ep.value_write();
        // tokio allows a watch send anywhere (it may park the thread on a
        // borrow): not a sign of a `spawn_blocking` closure.
        let r = block_on_wait!(thread: self.ep.resource(), Op::Write, self.inner.send(value));
        self.ep.sent(&r, crate::core::caller());
        r
    }

    /// Modifies the value in place and notifies, as tokio's `send_modify`;
    /// a `waits_on` edge with `op: write` while it lasts, as
    /// [`Sender::send`].
    #[track_caller]
    pub fn send_modify<F>(&self, modify: F)
    where
        F: FnOnce(&mut T),
    {
        self.ep.used();
        let _writing = self.ep.value_write();
        let ep = &self.ep;
        block_on_wait!(
            thread:
            self.ep.resource(),
            Op::Write,
            self.inner.send_modify(|value| {
                modify(value);
                ep.publish(value);
            })
        );
        self.ep.counted(1, crate::core::caller());
    }

    /// Modifies the value in place, notifying if `modify` says it changed,
    /// as tokio's `send_if_modified`; a `waits_on` edge with `op: write`
    /// while it lasts, as [`Sender::send`].
    #[track_caller]
    pub fn send_if_modified<F>(&self, modify: F) -> bool
    where
        F: FnOnce(&mut T) -> bool,
    {
        self.ep.used();
        let _writing = self.ep.value_write();
        let ep = &self.ep;
        let changed = block_on_wait!(
            thread:
            self.ep.resource(),
            Op::Write,
            self.inner.send_if_modified(|value| {
                let changed = modify(value);
                ep.publish(value);
                changed
            })
        );
        self.ep.counted(u64::from(changed), crate::core::caller());
        changed
    }

    /// Replaces the value, returning the old one, as tokio's
    /// `send_replace`; a `waits_on` edge with `op: write` while it lasts,
    /// as [`Sender::send`].
    #[track_caller]
    pub fn send_replace(&self, value: T) -> T {
        self.ep.used();
        let _writing = self.ep.value_write();
        self.ep.publish(&value);
        let old = block_on_wait!(
            thread:
            self.ep.resource(),
            Op::Write,
            self.inner.send_replace(value)
        );
        self.ep.counted(1, crate::core::caller());
        // The old value, and the handles in it, are the caller's now.
        ownership::taken(&old, Evidence::Returned);
        old
    }

    /// The latest value, as tokio's `borrow`. The [`Ref`] read-locks the
    /// value: a `held_by` edge (`as: read_guard`) naming this call's site
    /// (`#[track_caller]`); a wait behind a send in progress, as
    /// [`Receiver::borrow`].
    #[inline]
    #[track_caller]
    pub fn borrow(&self) -> Ref<'_, T> {
        let inner = self.ep.borrow_value(|| self.inner.borrow());
        Ref::new(inner, self.ep.value_holders(), caller())
    }

    /// Whether every receiver is gone, as tokio's.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
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

    /// A new receiver, attributed to the task subscribing, as tokio's
    /// `subscribe`.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver {
            inner: self.inner.subscribe(),
            ep: Endpoint::new(self.ep.chan().clone()),
        }
    }

    /// How many receivers are alive, as tokio's.
    pub fn receiver_count(&self) -> usize {
        self.inner.receiver_count()
    }

    /// How many senders are alive, as tokio's.
    pub fn sender_count(&self) -> usize {
        self.inner.sender_count()
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        self.inner.same_channel(&other.inner)
    }
}

impl<T> Clone for Sender<T> {
    /// Another sender, attributed to the task cloning it.
    fn clone(&self) -> Self {
        Sender {
            inner: self.inner.clone(),
            ep: self.ep.clone(),
        }
    }
}

impl<T: Default> Default for Sender<T> {
    #[track_caller]
    fn default() -> Self {
        Sender::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("inner", &self.inner)
            .finish()
    }
}
