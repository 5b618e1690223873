//! An instrumented `tokio::sync::Notify`.
//!
//! A pending `notified()` is a `waits_on` edge (`op: notified`) to a node of
//! kind `notify`. Anyone may call `notify_one`, so peeps cannot prove who
//! releases such a wait; it records who did notify (`held_by` edges, `as:
//! notifier`), and the analysis takes them, as a guess, for those who may
//! again (a `probable` deadlock at most; DESIGN.md §4).

use crate::core::{At, poll_recorded};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::history::{self, EventKind};
use peeps_runtime::__private::hold::Notifiers;
use peeps_runtime::__private::node::Describe;
use peeps_runtime::__private::resource::LazyResource;
use peeps_runtime::__private::resource::Resource;
use peeps_runtime::__private::resource::ResourceFacts;
use peeps_runtime::__private::wait::WaitEdge;
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// Notifies a single task to wake up: `tokio::sync::Notify`, whose waits
/// are `waits_on` edges.
///
/// Same API and semantics as tokio's (a stored permit for `notify_one`,
/// FIFO wake order); the node is named after the construction site, and
/// [`Notify::named`] renames it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let n = peeps_sync::Notify::new().named("ready");
/// n.notify_one();
/// n.notified().await; // consumes the stored permit
/// # }
/// ```
#[derive(Debug)]
pub struct Notify {
    res: LazyResource<NotifyFacts>,
    inner: tokio::sync::Notify,
}

/// Who has notified a [`Notify`], read at snapshot time.
#[derive(Debug, Default)]
pub(crate) struct NotifyFacts {
    notifiers: Notifiers,
}

impl From<u64> for NotifyFacts {
    fn from(_seed: u64) -> Self {
        NotifyFacts::default()
    }
}

impl ResourceFacts for NotifyFacts {
    fn describe(&self, out: &mut Describe<'_>) {
        self.notifiers.describe(out);
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Notify::notified`], as tokio's `Notified`.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Notified<'a> {
        #[pin]
        inner: tokio::sync::futures::Notified<'a>,
        res: &'a Resource,
        edge: WaitEdge,
        // The call of `notified()` that made it.
        at: At,
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Notify::notified_owned`], as tokio's `OwnedNotified`.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct OwnedNotified {
        #[pin]
        inner: tokio::sync::futures::Notified<'static>,
        res: &'static Resource,
        edge: WaitEdge,
        // The call of `notified_owned()` that made it.
        at: At,
        // Dropped last: keeps alive what the fields above point into.
        notify: Arc<Notify>,
    }
}

impl Notify {
    /// Creates a `Notify` without a stored permit, named after the call site.
    #[track_caller]
    pub fn new() -> Notify {
        let n = Self::const_new();
        n.res.resource();
        n
    }

    /// Creates a `Notify` in a `const` context; the node is registered on
    /// first use.
    #[track_caller]
    pub const fn const_new() -> Notify {
        Notify {
            res: LazyResource::new(NodeKind::Notify, Location::caller(), false, 0),
            inner: tokio::sync::Notify::const_new(),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Waits for a notification, as tokio's `notified`. Pending: a
    /// `waits_on` edge with `op: notified`, recording this call's site
    /// (`#[track_caller]`).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping a `Notified` that was woken by `notify_one`
    /// passes the notification on; the wait edge goes with it.
    #[track_caller]
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            inner: self.inner.notified(),
            res: self.res.resource(),
            edge: WaitEdge::new(),
            at: At::caller(),
        }
    }

    /// Waits for a notification on an `Arc<Notify>`, as tokio's
    /// `notified_owned`; the wait records this call's site.
    ///
    /// # Cancel safety
    ///
    /// As [`Notify::notified`].
    #[track_caller]
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        // SAFETY: the tokio `Notify` and the resource live inside `self`'s
        // allocation and stay put while the `OwnedNotified` keeps `self`,
        // which it drops after the fields that borrow from it.
        let (inner, res) = unsafe {
            let inner = crate::detach::detach(self.inner.notified());
            (inner, &*std::ptr::from_ref(self.res.resource()))
        };
        OwnedNotified {
            inner,
            res,
            edge: WaitEdge::new(),
            at: At::caller(),
            notify: self,
        }
    }

    /// Notifies the first waiting task, or stores a permit, as tokio's.
    #[track_caller]
    pub fn notify_one(&self) {
        self.inner.notify_one();
        self.noted();
    }

    /// Notifies the last waiting task, or stores a permit, as tokio's.
    #[track_caller]
    pub fn notify_last(&self) {
        self.inner.notify_last();
        self.noted();
    }

    /// Notifies every task waiting now, as tokio's.
    #[track_caller]
    pub fn notify_waiters(&self) {
        self.inner.notify_waiters();
        self.noted();
    }
}

impl Notify {
    /// Records the notification just made: in the flight recorder, and
    /// who made it.
    #[track_caller]
    #[inline]
    fn noted(&self) {
        if let Some(f) = self.res.facts() {
            f.notifiers.note();
        }
        history::note(
            EventKind::Notify,
            self.res.resource().id(),
            crate::core::caller(),
        );
    }
}

impl Default for Notify {
    #[track_caller]
    fn default() -> Notify {
        Notify::new()
    }
}

impl Notified<'_> {
    /// Registers interest in a notification without waiting, as tokio's
    /// `enable`; returns whether one was already received.
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.project().inner.enable()
    }
}

impl Future for Notified<'_> {
    type Output = ();
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let inner = this.inner;
        poll_recorded(
            this.res,
            Op::Notified,
            this.at.site(),
            this.edge,
            cx,
            |cx| inner.poll(cx),
        )
    }
}

impl OwnedNotified {
    /// As [`Notified::enable`].
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.project().inner.enable()
    }
}

impl Future for OwnedNotified {
    type Output = ();
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let inner = this.inner;
        poll_recorded(
            this.res,
            Op::Notified,
            this.at.site(),
            this.edge,
            cx,
            |cx| inner.poll(cx),
        )
    }
}
