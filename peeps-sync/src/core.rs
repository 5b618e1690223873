//! The glue every wrapper is built on: a resource node, a pending wait on
//! it, and a hold of it.
//!
//! tokio builds its Mutex, RwLock and Semaphore on one batch semaphore;
//! peeps builds every wrapper on these few pieces, so the edge logic is
//! written once:
//!
//! - [`Waiting`] wraps one of tokio's wait futures: it polls it with the
//!   task's waker tagged for waker accounting (DESIGN.md §4), records a
//!   `waits_on` edge on the first `Pending` and removes it on completion or
//!   when dropped (cancellation);
//! - `HoldGuard` (from peeps-runtime) is the `held_by` edge a guard or
//!   permit embeds, released when the guard drops, wherever it drops;
//! - [`block_on_wait!`] brackets a blocking call with a `waits_on` edge;
//! - [`At`] and [`caller`] carry the user's call site (`#[track_caller]`)
//!   to the wait and the hold, as attr `at`;
//! - [`ordered`] records a lock taken in the lock order the runtime learns
//!   (`peeps_runtime::lockorder`), [`Took::Waiting`] or [`Took::AtOnce`].
//!
//! Without feature `diagnostics` every piece is the runtime's no-op twin:
//! the same code compiles to the plain tokio call.

use peeps_runtime::__private::hold::Taker;
use peeps_runtime::__private::resource::Resource;
use peeps_runtime::__private::wait::WaitEdge;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use peeps_graph::Op;
use peeps_runtime::__private::wait::{ListRef, Site, WaitList};

pin_project_lite::pin_project! {
    /// One of tokio's wait futures, recorded as a `waits_on` edge while
    /// pending (made by [`Waiting::new`]).
    pub(crate) struct Recorded<'r, F> {
        #[pin]
        inner: F,
        res: &'r Resource,
        op: Op,
        at: Site,
        // Borrows the resource's list: no reference count touched.
        edge: WaitEdge<&'r WaitList>,
    }

    impl<'r, F> PinnedDrop for Recorded<'r, F> {
        /// A lock's wait dropped while pending was given up: the lock
        /// order learns it (see [`given_up`]).
        #[inline]
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.edge.is_waiting()
                && let Some(mode) = lock_mode(*this.op)
            {
                given_up(this.res, mode, *this.at, this.edge);
            }
        }
    }
}

/// How a wait for `op` takes its lock, if it is a lock's (a mutex, an
/// rwlock, a semaphore).
#[inline(always)]
pub(crate) fn lock_mode(op: Op) -> Option<peeps_runtime::__private::lockorder::Mode> {
    use peeps_runtime::__private::lockorder::Mode;
    match op {
        Op::Lock | Op::Write => Some(Mode::Write),
        Op::Read => Some(Mode::Read),
        Op::Acquire => Some(Mode::Permit),
        _ => None,
    }
}

/// A lock's wait in `mode` on `res`, made by the call at `at` and recorded
/// in `edge`, was dropped while pending: when by its own waiter (a
/// timeout, a `select!` branch that lost: see
/// `WaitEdge::waited_by_current`), the lock order marks the edges it
/// would have made as waits that can be given up
/// (`peeps_runtime::lockorder::given_up`). Cold.
#[cold]
#[inline(never)]
pub(crate) fn given_up(
    res: &Resource,
    mode: peeps_runtime::__private::lockorder::Mode,
    at: Site,
    edge: &WaitEdge<&WaitList>,
) {
    if edge.waited_by_current() {
        peeps_runtime::__private::lockorder::given_up(res, mode, at);
    }
}

/// The call site of a user's call, kept by the future an async method
/// returns until it records its wait and the hold it takes: the caller's
/// location with feature `diagnostics`; without it nothing (zero-sized), so
/// the future stores nothing more than tokio's and no location is read.
#[cfg(feature = "diagnostics")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct At(&'static std::panic::Location<'static>);

/// Without diagnostics: nothing.
#[cfg(not(feature = "diagnostics"))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct At;

impl At {
    /// The call to the `#[track_caller]` method calling this.
    #[cfg(feature = "diagnostics")]
    #[track_caller]
    #[inline(always)]
    pub(crate) fn caller() -> At {
        At(std::panic::Location::caller())
    }

    /// Without diagnostics: nothing is read.
    #[cfg(not(feature = "diagnostics"))]
    #[inline(always)]
    pub(crate) fn caller() -> At {
        At
    }

    /// The site, as a wait or a hold records it.
    #[cfg(feature = "diagnostics")]
    #[inline(always)]
    pub(crate) fn site(self) -> Site {
        Some(self.0)
    }

    /// Without diagnostics: none.
    #[cfg(not(feature = "diagnostics"))]
    #[inline(always)]
    pub(crate) fn site(self) -> Site {
        None
    }
}

/// The site of the call to the `#[track_caller]` method calling this, for
/// a method that records it at once (a `try_lock`, a blocking lock): a
/// constant pointer with diagnostics, `None` without.
#[track_caller]
#[inline(always)]
pub(crate) fn caller() -> Site {
    At::caller().site()
}

/// Makes the future of a wait on a resource.
pub(crate) struct Waiting;

impl Waiting {
    /// Waits for `inner`, a wait on `res` for `op`: recorded while pending.
    #[cfg(feature = "diagnostics")]
    #[inline]
    #[allow(clippy::new_ret_no_self)] // a maker of wait futures, not of itself
    pub(crate) fn new<F: Future>(res: &Resource, op: Op, at: Site, inner: F) -> Recorded<'_, F> {
        Recorded {
            inner,
            res,
            op,
            at,
            edge: WaitEdge::new(),
        }
    }

    /// Without diagnostics: `inner` itself, with no wrapper around it.
    #[cfg(not(feature = "diagnostics"))]
    #[inline(always)]
    #[allow(clippy::new_ret_no_self)] // a maker of wait futures, not of itself
    pub(crate) fn new<F: Future>(_res: &Resource, _op: Op, _at: Site, inner: F) -> F {
        inner
    }
}

impl<F: Future> Future for Recorded<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        poll_recorded(this.res, *this.op, *this.at, this.edge, cx, |cx| {
            this.inner.poll(cx)
        })
    }
}

/// Polls a wait on `res` ([`WaitEdge::poll_wait`]: the tagged waker, the
/// edge begun on `Pending` and ended on `Ready`). For `poll_*` methods that
/// keep their edge in the handle rather than in a future.
#[inline]
pub(crate) fn poll_recorded<'r, T, L: ListRef<'r>>(
    res: &'r Resource,
    op: Op,
    at: Site,
    edge: &mut WaitEdge<L>,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
) -> Poll<T> {
    poll_recorded_lazy(|| res, op, at, edge, cx, poll)
}

/// As [`poll_recorded`], for a resource registered only when something
/// waits on it (a oneshot): `res` is asked for only on `Pending`.
#[inline]
pub(crate) fn poll_recorded_lazy<'r, T, L: ListRef<'r>>(
    res: impl FnOnce() -> &'r Resource,
    op: Op,
    at: Site,
    edge: &mut WaitEdge<L>,
    cx: &mut Context<'_>,
    poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
) -> Poll<T> {
    // Asked for on the first `Pending`: the wait comes after what the
    // resource's holders did (the flight recorder's order).
    let list = || {
        let res = res();
        peeps_runtime::__private::history::observe(res.holders());
        Some(res.waits())
    };
    edge.poll_wait(list, op, at, cx, poll)
}

/// Begins a `waits_on` edge on `res` for `op`, made by the call that
/// called the `#[track_caller]` method calling this, ended when the
/// returned edge drops (also when the blocking call it brackets panics);
/// `timed` for a call that gives up by itself at a deadline
/// (`try_lock_for`): no deadlock rests on its wait.
#[cfg(feature = "diagnostics")]
#[inline]
#[track_caller]
pub(crate) fn blocked_on(res: &Resource, op: Op, timed: bool) -> WaitEdge<&WaitList> {
    let mut edge = WaitEdge::<&WaitList>::new();
    peeps_runtime::__private::history::observe(res.holders());
    let at = Some(std::panic::Location::caller());
    if timed {
        edge.begin_timed(res.waits(), op, at);
    } else {
        edge.begin(res.waits(), op, at);
    }
    edge
}

/// Without diagnostics: nothing, and the resource is not asked for its
/// (shared, lazily made) empty wait list.
#[cfg(not(feature = "diagnostics"))]
#[inline(always)]
pub(crate) fn blocked_on(_res: &Resource, _op: Op, _timed: bool) -> WaitEdge<&WaitList> {
    WaitEdge::new()
}

/// `block_on_wait!(res, op, call)`: makes the blocking `call`, which waits
/// on `res` for `op`, with a `waits_on` edge for its duration, ended as
/// completed when it returns (a panic in it drops the edge: cancelled).
///
/// A macro, not a function taking a closure, so that `call` is made by the
/// `#[track_caller]` method itself: tokio's panics in a blocking call ("cannot
/// block the current thread from within a runtime") then name the user's
/// call site, as tokio's own do (a closure would name peeps' source).
///
/// For tokio's blocking calls, which panic on a runtime's worker, the call
/// also tells the runtime that the tokio task making it, if any, is a
/// `spawn_blocking` closure; `block_on_wait!(thread: ...)` is for
/// the blocking locks, which any thread or task may take, and
/// `block_on_wait!(timed: ...)` for their calls that give up at a deadline.
macro_rules! block_on_wait {
    (thread: $res:expr, $op:expr, $call:expr) => {{
        let mut edge = $crate::core::blocked_on($res, $op, false);
        let out = $call;
        edge.end();
        out
    }};
    (timed: $res:expr, $op:expr, $call:expr) => {{
        let mut edge = $crate::core::blocked_on($res, $op, true);
        let out = $call;
        edge.end();
        out
    }};
    ($res:expr, $op:expr, $call:expr) => {{
        $crate::core::blocking_call();
        $crate::core::block_on_wait!(thread: $res, $op, $call)
    }};
}

/// A tokio-style blocking call is made (see `block_on_wait!`; one made on
/// a worker panics at once, its task with it).
#[inline]
pub(crate) fn blocking_call() {
    #[cfg(feature = "diagnostics")]
    peeps_runtime::__private::ambient::note_blocking_call();
}
pub(crate) use block_on_wait;

/// How a lock was taken, for the lock order the runtime learns (see
/// `peeps_runtime::lockorder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Took {
    /// By a blocking call that could have waited (a blocking lock, a
    /// `blocking_lock`): ordered after every lock the task holds.
    Waiting,
    /// By a future that could have waited (`lock`, `read`, `acquire`),
    /// pinned at this address while it did: ordered after every lock the
    /// task holds, but those taken at the same call by another future —
    /// another branch of the same `join_all`, `buffer_unordered` or
    /// `join!`, running the same code beside it (see
    /// `peeps_runtime::lockorder::acquired`).
    Awaited(usize),
    /// Without waiting (`try_lock`, `try_acquire`): it cannot block, so it
    /// is ordered after nothing, but orders what is taken while it is held.
    AtOnce,
}

impl Took {
    /// Taken by the future whose pinned state holds `place` (any of its
    /// fields that lives as long as it does).
    #[inline(always)]
    pub(crate) fn awaited<P>(place: &P) -> Took {
        Took::Awaited(std::ptr::from_ref(place) as usize)
    }

    /// Where the future that waited was (0: a blocking call, or no wait).
    #[inline(always)]
    fn place(self) -> usize {
        match self {
            Took::Awaited(place) => place,
            Took::Waiting | Took::AtOnce => 0,
        }
    }
}

/// Records a lock of `res` taken in `mode` by the call at `at` in the lock
/// order, right after the lock's hold was taken by `taker` (who the hold
/// found). Without diagnostics: nothing.
#[inline(always)]
pub(crate) fn ordered(
    res: &Resource,
    mode: peeps_runtime::__private::lockorder::Mode,
    at: Site,
    took: Took,
    taker: Taker,
) {
    match took {
        Took::AtOnce => peeps_runtime::__private::lockorder::held(res, mode, at, taker),
        waited => {
            peeps_runtime::__private::lockorder::acquired(res, mode, at, taker, waited.place());
        }
    }
}

/// As [`ordered`], for a permit that took all its semaphore's permits:
/// held exclusively, a gate as a mutex guard is (see
/// `peeps_runtime::lockorder::acquired_sole_permit`).
#[inline(always)]
pub(crate) fn ordered_sole_permit(res: &Resource, at: Site, took: Took, taker: Taker) {
    match took {
        Took::AtOnce => peeps_runtime::__private::lockorder::held_sole_permit(res, at, taker),
        waited => {
            let place = waited.place();
            peeps_runtime::__private::lockorder::acquired_sole_permit(res, at, taker, place);
        }
    }
}

/// As [`ordered`], for an owned guard or permit (`sole`: a permit that took
/// all its semaphore's permits), which can move to another task unseen: it
/// orders nothing taken after it (see
/// `peeps_runtime::lockorder::acquired_movable`).
#[inline(always)]
pub(crate) fn ordered_owned(
    res: &Resource,
    mode: peeps_runtime::__private::lockorder::Mode,
    sole: bool,
    at: Site,
    took: Took,
    taker: Taker,
) {
    use peeps_runtime::__private::lockorder::{acquired_movable, held_movable};
    match took {
        Took::AtOnce => held_movable(res, mode, sole, at, taker),
        waited => acquired_movable(res, mode, sole, at, taker, waited.place()),
    }
}

/// The most of a lock's value searched for handles (a larger value is not
/// searched: its handles stay where peeps last saw them).
const KEPT_SCAN_MAX: usize = 512;

/// The handles inside `value`, the value of lock `lock`, are kept in that
/// lock: whoever takes it may use, clone or take them (see
/// `peeps_runtime::__private::ownership::published`). Called as the lock is
/// made and as an exclusive guard lets its value go (dropped, downgraded or
/// mapped), while the value is still the guard's. Free for a value that
/// needs no drop, which cannot contain a handle; without diagnostics,
/// nothing.
#[inline(always)]
pub(crate) fn kept<T: ?Sized>(lock: peeps_graph::NodeId, value: &T) {
    #[cfg(feature = "diagnostics")]
    if std::mem::needs_drop::<T>() && std::mem::size_of_val(value) <= KEPT_SCAN_MAX {
        peeps_runtime::__private::ownership::published(value, lock);
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = (lock, value, KEPT_SCAN_MAX);
}

/// A raw pointer marker: makes a guard neither `Send` nor `Sync` by
/// default, so each guard states its bounds explicitly, exactly as tokio's.
pub(crate) type NotSendSync = std::marker::PhantomData<*const ()>;

/// Debug and Display of a guard: those of the value it guards.
macro_rules! fmt_via_deref {
    ($([$($g:tt)*] $ty:ty),* $(,)?) => {$(
        impl<$($g)*> ::std::fmt::Debug for $ty where <$ty as ::std::ops::Deref>::Target: ::std::fmt::Debug {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&**self, f)
            }
        }
        impl<$($g)*> ::std::fmt::Display for $ty where <$ty as ::std::ops::Deref>::Target: ::std::fmt::Display {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&**self, f)
            }
        }
    )*};
}
pub(crate) use fmt_via_deref;

#[cfg(test)]
mod tests {
    use super::At;

    /// "No cost when off": without diagnostics the site a future keeps is
    /// zero-sized (and no location is read); with them, one pointer.
    #[test]
    fn a_kept_site_is_free_when_off() {
        let want = if cfg!(feature = "diagnostics") { 8 } else { 0 };
        assert_eq!(std::mem::size_of::<At>(), want);
        assert_eq!(At::caller().site().is_some(), cfg!(feature = "diagnostics"));
    }
}
