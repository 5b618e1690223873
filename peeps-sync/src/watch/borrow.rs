//! A live borrow of a watch channel's value: tokio's `watch::Ref`, which
//! holds a read lock of the value, as a read hold of the channel.
//!
//! tokio keeps a watch channel's value behind a blocking `RwLock`: every
//! `Ref` holds its read side, and `Sender::send` (and `send_modify`,
//! `send_replace`, `send_if_modified`) takes its write side, blocking the
//! sending thread while any `Ref` lives (tokio#4246). A `Ref` kept across
//! an `.await` therefore stalls a send, and with it the worker thread the
//! sending task runs on. peeps records each live `Ref` as a `held_by` edge
//! from the channel (`as: read_guard`, with the call that borrowed), and a
//! send that may block as a `waits_on` edge with `op: write` for the
//! duration of the call. The value's lock lets no new reader past a
//! queued writer, so a borrow made while a send is in progress may park
//! behind it, even in a task that holds a `Ref` already (fedimint#9085):
//! such a borrow is a `waits_on` edge with `op: read` while it lasts.

use peeps_runtime::__private::hold::{HoldAs, HoldGuard, HolderSet};
use peeps_runtime::__private::wait::Site;
use std::fmt;
use std::ops::Deref;

/// A reference to the value in a watch channel, as tokio's `watch::Ref`:
/// the channel's value is read-locked while it lives.
///
/// Differs from tokio's only in what peeps records: while it lives, a
/// `held_by` edge from the channel (`as: read_guard`) to the task that
/// borrowed, naming the call that made it (attr `at`). A `send` on the
/// channel blocks until every `Ref` is gone: do not hold one across an
/// `.await`.
#[clippy::has_significant_drop]
pub struct Ref<'a, T> {
    /// The read hold, released as the `Ref` drops (first: the edge goes
    /// as the borrow ends).
    _hold: HoldGuard<'a>,
    inner: tokio::sync::watch::Ref<'a, T>,
}

impl<'a, T> Ref<'a, T> {
    /// Wraps tokio's `inner`, borrowed by the call at `at`, as a read hold
    /// of the value whose holders are `holders`.
    #[inline]
    pub(super) fn new(
        inner: tokio::sync::watch::Ref<'a, T>,
        holders: &'a HolderSet,
        at: Site,
    ) -> Self {
        Ref {
            _hold: HoldGuard::new(holders, HoldAs::ReadGuard, true, at).0,
            inner,
        }
    }

    /// Whether the borrowed value is new since it was last marked seen, as
    /// tokio's `Ref::has_changed` (always `false` for a sender's borrow).
    pub fn has_changed(&self) -> bool {
        self.inner.has_changed()
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
