//! An instrumented `tokio::sync::Mutex`.
//!
//! The lock itself is tokio's (a `tokio::sync::Mutex<()>`: the same batch
//! semaphore, the same FIFO fairness and cancel safety); the value lives in
//! this wrapper's own cell, so owned guards need no `T: 'static`. A pending
//! `lock` is a `waits_on` edge (`op: lock`); a guard is a `held_by` edge
//! (`as: guard`) to the task that locked, `confirmed: false` for owned
//! guards, which can move to another task unseen.

use crate::core::{
    At, NotSendSync, Took, Waiting, block_on_wait, caller, fmt_via_deref, kept, ordered,
    ordered_owned, poll_recorded,
};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::hold::{HoldAs, HoldGuard};
use peeps_runtime::__private::lockorder::Mode;
use peeps_runtime::__private::ownership::{Key, Mark};
use peeps_runtime::__private::resource::LazyResource;
use peeps_runtime::__private::wait::{Site, WaitEdge, WaitList};
use std::borrow::Cow;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

pub use tokio::sync::TryLockError;

/// An asynchronous mutex: `tokio::sync::Mutex` with holder and waiter
/// edges.
///
/// Same API and semantics as tokio's; in addition the node is named after
/// the construction site, and [`Mutex::named`] renames it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let m = peeps_sync::Mutex::new(0).named("counter");
/// *m.lock().await += 1;
/// assert_eq!(*m.lock().await, 1);
/// # }
/// ```
pub struct Mutex<T: ?Sized> {
    res: LazyResource,
    lock: tokio::sync::Mutex<()>,
    data: UnsafeCell<T>,
}

// SAFETY: as tokio's: the value is only reached through a guard, which the
// tokio lock makes exclusive, so sharing the mutex needs only `T: Send`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// A guard of a [`Mutex`]: tokio's `MutexGuard`, whose life is a `held_by`
/// edge from the mutex to the task that locked it.
///
/// Two words (a sized value's): the hold is the mutex's exclusive one
/// ([`HolderSet::hold_exclusive`](peeps_runtime::__private::hold::HolderSet::hold_exclusive)),
/// found from `lock`, so the guard returns in registers like tokio's.
#[clippy::has_significant_drop]
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    guard: tokio::sync::MutexGuard<'a, ()>,
    lock: &'a Mutex<T>,
    _marker: NotSendSync,
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        let res = self.lock.res.resource();
        // SAFETY: the guard still holds the lock exclusively.
        kept(res.id(), unsafe { &*self.lock.data.get() });
        // The hold goes before the lock is released (`guard`, dropped next).
        res.holders().release_exclusive();
    }
}

// SAFETY: the guard gives `&mut T` on the thread it moves to (needs Send)
// and `&T` to every thread sharing it (needs Sync): tokio's bounds.
unsafe impl<T: ?Sized + Send> Send for MutexGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

/// An owned guard of a `Arc<Mutex<T>>`, as tokio's `OwnedMutexGuard`.
///
/// Its `held_by` edge names the task that locked, with `confirmed: false`:
/// an owned guard may move to another task, which peeps cannot see. It is
/// released correctly wherever it drops.
#[clippy::has_significant_drop]
pub struct OwnedMutexGuard<T: ?Sized> {
    /// Names the hold, so peeps finds the guard where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    hold: HoldGuard<'static>,
    guard: tokio::sync::MutexGuard<'static, ()>,
    // Dropped last: keeps alive what `hold` and `guard` point into.
    lock: Arc<Mutex<T>>,
    _marker: NotSendSync,
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the guard still holds the lock exclusively (`hold` and
        // `guard` drop after this).
        kept(self.lock.res.resource().id(), unsafe {
            &*self.lock.data.get()
        });
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The guard's parts, its value searched for handles first (see
    /// [`kept`]) as a drop would.
    #[allow(clippy::type_complexity)]
    fn into_parts(
        self,
    ) -> (
        Mark,
        HoldGuard<'static>,
        tokio::sync::MutexGuard<'static, ()>,
        Arc<Mutex<T>>,
    ) {
        // SAFETY: the guard holds the lock exclusively.
        kept(self.lock.res.resource().id(), unsafe {
            &*self.lock.data.get()
        });
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is
        // moved out exactly once (`_marker` is zero sized).
        unsafe {
            (
                std::ptr::read(&this.mark),
                std::ptr::read(&this.hold),
                std::ptr::read(&this.guard),
                std::ptr::read(&this.lock),
            )
        }
    }
}

// SAFETY: as tokio's OwnedMutexGuard: moving it moves the `Arc` (T: Send).
unsafe impl<T: ?Sized + Send> Send for OwnedMutexGuard<T> {}
// SAFETY: sharing it shares `&T`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

/// A guard of a part of a [`Mutex`]'s value, as tokio's
/// `MappedMutexGuard`; still a `held_by` edge.
#[clippy::has_significant_drop]
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: tokio::sync::MutexGuard<'a, ()>,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: tokio's bounds: a `&mut T` in disguise.
unsafe impl<'a, T: ?Sized + Send + 'a> Send for MappedMutexGuard<'a, T> {}
// SAFETY: as above.
unsafe impl<'a, T: ?Sized + Sync + 'a> Sync for MappedMutexGuard<'a, T> {}

/// An owned guard of a part of a [`Mutex`]'s value, as tokio's
/// `OwnedMappedMutexGuard`; `confirmed: false` like every owned guard.
#[clippy::has_significant_drop]
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    /// As [`OwnedMutexGuard`]'s.
    #[allow(dead_code)]
    mark: Mark,
    hold: HoldGuard<'static>,
    guard: tokio::sync::MutexGuard<'static, ()>,
    data: *mut U,
    lock: Arc<Mutex<T>>,
}

// SAFETY: tokio's bounds.
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: tokio's bounds.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T> Mutex<T> {
    /// Creates a new lock in an unlocked state, named after the call site.
    ///
    /// As `tokio::sync::Mutex::new`; the node is registered at once.
    #[track_caller]
    pub fn new(t: T) -> Self {
        let mut m = Self::const_new(t);
        peeps_runtime::__private::lockorder::made(m.res.resource());
        kept(m.res.resource().id(), m.data.get_mut());
        m
    }

    /// Creates a new lock in a `const` context (a `static`), as tokio's
    /// `const_new`. The node is registered on first use.
    #[track_caller]
    pub const fn const_new(t: T) -> Self {
        Mutex {
            res: LazyResource::new(NodeKind::Mutex, Location::caller(), false, 0).guarding::<T>(),
            lock: tokio::sync::Mutex::const_new(()),
            data: UnsafeCell::new(t),
        }
    }

    /// Consumes the mutex, returning the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self
    where
        T: Sized,
    {
        self.res.resource().rename(name);
        self
    }

    /// The guard of a lock taken by the call at `at`.
    #[inline]
    fn guard<'a>(
        &'a self,
        guard: tokio::sync::MutexGuard<'a, ()>,
        at: Site,
        took: Took,
    ) -> MutexGuard<'a, T> {
        let res = self.res.resource();
        let taker = res.holders().hold_exclusive(HoldAs::Guard, true, at);
        ordered(res, Mode::Write, at, took, taker);
        MutexGuard {
            guard,
            lock: self,
            _marker: PhantomData,
        }
    }

    /// The owned guard of a lock taken by the call at `at`.
    fn owned_guard(
        self: Arc<Self>,
        guard: tokio::sync::MutexGuard<'static, ()>,
        at: Site,
        took: Took,
    ) -> OwnedMutexGuard<T> {
        // SAFETY: the holder set lives behind the resource `self` owns and
        // stays put while the guard keeps `self` alive; the guard drops
        // `hold` before that `Arc` and never hands the reference out.
        let set = unsafe { &*std::ptr::from_ref(self.res.resource().holders()) };
        let (hold, ticket, taker) = HoldGuard::exclusive_movable(set, HoldAs::Guard, at);
        ordered_owned(self.res.resource(), Mode::Write, false, at, took, taker);
        OwnedMutexGuard {
            mark: Mark::new(Key::hold(set.owner(), ticket)),
            hold,
            guard,
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Locks this mutex, causing the current task to yield until the lock
    /// has been acquired, as tokio's: FIFO fair.
    ///
    /// While pending: a `waits_on` edge (`op: lock`) from the waiting
    /// future or task. The guard: a `held_by` edge (`as: guard`). Both
    /// record this call's site (attr `at`, `#[track_caller]`): a plain
    /// `fn` returning the future, as an `async fn` cannot take the caller.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue and
    /// removes the wait edge.
    #[track_caller]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> {
        Locking {
            inner: self.lock.lock(),
            mutex: self,
            at: At::caller(),
            edge: WaitEdge::new(),
        }
    }

    /// Blockingly locks this mutex, as tokio's `blocking_lock`: for use
    /// outside async code. The wait is a `waits_on` edge from the thread;
    /// it and the guard record this call's site.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        let guard = block_on_wait!(self.res.resource(), Op::Lock, self.lock.blocking_lock());
        self.guard(guard, caller(), Took::Waiting)
    }

    /// Blockingly locks an `Arc`'d mutex, as tokio's `blocking_lock_owned`;
    /// the wait and the guard record this call's site.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        let guard = block_on_wait!(self.res.resource(), Op::Lock, self.lock.blocking_lock());
        // SAFETY: the owned guard keeps the `Arc` and drops it last.
        let guard = unsafe { crate::detach::detach(guard) };
        self.owned_guard(guard, caller(), Took::Waiting)
    }

    /// Locks an `Arc`'d mutex, as tokio's `lock_owned`. The guard's
    /// `held_by` edge is `confirmed: false`; it and the wait record this
    /// call's site (`#[track_caller]`, as [`Mutex::lock`]).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> impl Future<Output = OwnedMutexGuard<T>> {
        let at = At::caller();
        async move {
            let guard =
                Waiting::new(self.res.resource(), Op::Lock, at.site(), self.lock.lock()).await;
            // SAFETY: the owned guard keeps the `Arc` and drops it last.
            let guard = unsafe { crate::detach::detach(guard) };
            self.owned_guard(guard, at.site(), Took::awaited(&at))
        }
    }

    /// Attempts to acquire the lock, as tokio's `try_lock`; the guard
    /// records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the lock is held.
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        let guard = self.lock.try_lock()?;
        Ok(self.guard(guard, caller(), Took::AtOnce))
    }

    /// Attempts to acquire the lock of an `Arc`'d mutex, as tokio's
    /// `try_lock_owned`; the guard records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the lock is held.
    #[track_caller]
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        // SAFETY: the owned guard keeps the `Arc` and drops it last.
        let guard = unsafe { crate::detach::detach(self.lock.try_lock()?) };
        Ok(self.owned_guard(guard, caller(), Took::AtOnce))
    }

    /// A mutable reference to the value: no locking needed, as tokio's.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

pin_project_lite::pin_project! {
    /// The future of [`Mutex::lock`]: tokio's lock future `inner`, a
    /// `waits_on` edge while pending (as [`Waiting`]'s), then the guard's
    /// `held_by` edge. Written by hand, not as an `async` block around a
    /// [`Waiting`]: no state machine around the one await, which cost
    /// every contended lock a dispatch and a drop of the finished wait.
    struct Locking<'a, T: ?Sized, F> {
        #[pin]
        inner: F,
        mutex: &'a Mutex<T>,
        at: At,
        // Dropped after `inner`: a wait cancelled by the drop leaves
        // tokio's queue, then the graph.
        edge: WaitEdge<&'a WaitList>,
    }

    impl<'a, T: ?Sized, F> PinnedDrop for Locking<'a, T, F> {
        /// A wait dropped while pending was given up (see
        /// `core::given_up`).
        #[inline]
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.edge.is_waiting() {
                let mode = peeps_runtime::__private::lockorder::Mode::Write;
                crate::core::given_up(this.mutex.res.resource(), mode, this.at.site(), this.edge);
            }
        }
    }
}

impl<'a, T: ?Sized, F> Future for Locking<'a, T, F>
where
    F: Future<Output = tokio::sync::MutexGuard<'a, ()>>,
{
    type Output = MutexGuard<'a, T>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        let this = self.project();
        let mutex: &'a Mutex<T> = this.mutex;
        let at = this.at.site();
        let took = Took::awaited(this.at);
        let polled = poll_recorded(mutex.res.resource(), Op::Lock, at, this.edge, cx, |cx| {
            this.inner.poll(cx)
        });
        polled.map(|guard| mutex.guard(guard, at, took))
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(s: T) -> Self {
        Self::new(s)
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.lock.try_lock() {
            // SAFETY: the lock is held for the read.
            Ok(_g) => d.field("data", &unsafe { &*self.data.get() }),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// Makes a guard of a part of the locked value, as tokio's
    /// `MutexGuard::map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(
        this: Self,
        f: F,
    ) -> MappedMutexGuard<'a, U> {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Makes a guard of a part of the locked value if `f` returns `Some`,
    /// as tokio's `MutexGuard::try_map`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        mut this: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        // The mapped guard's part alone is not searched again.
        kept(this.lock.res.resource().id(), &*this);
        let this = std::mem::ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again: its hold passes to
        // the mapped guard (adopted below), and its tokio guard is moved out
        // exactly once here.
        let guard = unsafe { std::ptr::read(&this.guard) };
        Ok(MappedMutexGuard {
            hold: HoldGuard::adopt_exclusive(this.lock.res.resource().holders()),
            guard,
            data,
            _marker: PhantomData,
        })
    }

    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock exclusively.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// Makes an owned guard of a part of the locked value, as tokio's
    /// `OwnedMutexGuard::map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(
        this: Self,
        f: F,
    ) -> OwnedMappedMutexGuard<T, U> {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// As [`OwnedMutexGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedMappedMutexGuard<T, U>, Self> {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        let (mark, hold, guard, lock) = this.into_parts();
        Ok(OwnedMappedMutexGuard {
            mark,
            hold,
            guard,
            data,
            lock,
        })
    }

    /// The `Arc`'d mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock exclusively.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Maps further, as tokio's `MappedMutexGuard::map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(
        this: Self,
        f: F,
    ) -> MappedMutexGuard<'a, U> {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps further when `f` returns `Some`, as tokio's.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        mut this: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let Some(data) = f(&mut *this).map(|d| d as *mut U) else {
            return Err(this);
        };
        let MappedMutexGuard { hold, guard, .. } = this;
        Ok(MappedMutexGuard {
            hold,
            guard,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: points into the locked value while the lock is held.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, exclusively.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// Maps further, as tokio's `OwnedMappedMutexGuard::map`.
    #[inline]
    pub fn map<S: ?Sized, F: FnOnce(&mut U) -> &mut S>(
        this: Self,
        f: F,
    ) -> OwnedMappedMutexGuard<T, S> {
        match Self::try_map(this, |v| Some(f(v))) {
            Ok(mapped) => mapped,
            Err(_) => unreachable!("`f` always returns `Some`"),
        }
    }

    /// Maps further when `f` returns `Some`, as tokio's.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<S: ?Sized, F: FnOnce(&mut U) -> Option<&mut S>>(
        mut this: Self,
        f: F,
    ) -> Result<OwnedMappedMutexGuard<T, S>, Self> {
        let Some(data) = f(&mut *this).map(|d| d as *mut S) else {
            return Err(this);
        };
        let OwnedMappedMutexGuard {
            mark,
            hold,
            guard,
            lock,
            ..
        } = this;
        Ok(OwnedMappedMutexGuard {
            mark,
            hold,
            guard,
            data,
            lock,
        })
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;
    #[inline]
    fn deref(&self) -> &U {
        // SAFETY: points into the locked value while the lock is held.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    #[inline]
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as above, exclusively.
        unsafe { &mut *self.data }
    }
}

fmt_via_deref! {
    ['a, T: ?Sized] MutexGuard<'a, T>,
    [T: ?Sized] OwnedMutexGuard<T>,
    ['a, T: ?Sized] MappedMutexGuard<'a, T>,
    [T: ?Sized, U: ?Sized] OwnedMappedMutexGuard<T, U>,
}
