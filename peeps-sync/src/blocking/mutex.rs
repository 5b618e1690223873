//! The blocking mutex: `parking_lot::Mutex` with holder and waiter edges.

use crate::core::{Took, block_on_wait, caller, fmt_via_deref, kept, ordered};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::hold::{HoldAs, HoldGuard};
use peeps_runtime::__private::lockorder::Mode;
use peeps_runtime::__private::resource::{BackRef, LazyResource};
use peeps_runtime::__private::wait::Site;
use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::time::{Duration, Instant};

/// A mutual exclusion lock that parks the thread: `parking_lot::Mutex`
/// with holder and waiter edges.
///
/// `repr(C)` with the node first: without diagnostics the node is zero
/// sized, so the mutex sits at the address of parking_lot's and its guard
/// needs no reference back (see [`MutexGuard::mutex`]).
#[repr(C)]
pub struct Mutex<T: ?Sized> {
    res: LazyResource,
    inner: parking_lot::Mutex<T>,
}

/// A guard of a blocking [`Mutex`], as parking_lot's `MutexGuard`: a
/// `held_by` edge (`as: guard`). Not `Send`, as parking_lot's.
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MutexGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::MutexGuard<'a, T>,
    lock: BackRef<'a, Mutex<T>>,
}

// SAFETY: parking_lot's bound: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // `hold` and `guard` drop after this: the lock is still held.
        kept(self.hold.owner(), &*self.guard);
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The guard's parts, its value searched for handles first (see
    /// [`kept`]) as a drop would.
    fn into_parts(
        self,
    ) -> (
        HoldGuard<'a>,
        parking_lot::MutexGuard<'a, T>,
        BackRef<'a, Mutex<T>>,
    ) {
        kept(self.hold.owner(), &*self.guard);
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is
        // moved out exactly once.
        unsafe {
            (
                std::ptr::read(&this.hold),
                std::ptr::read(&this.guard),
                std::ptr::read(&this.lock),
            )
        }
    }
}

/// A guard of a part of a blocking [`Mutex`]'s value, as parking_lot's
/// `MappedMutexGuard`.
#[must_use = "if unused the Mutex will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::MappedMutexGuard<'a, T>,
}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex, named after the call site. `const`, as
    /// parking_lot's; the node is registered on first use.
    #[track_caller]
    pub const fn new(val: T) -> Mutex<T> {
        Mutex {
            res: LazyResource::new(NodeKind::Mutex, Location::caller(), true, 0).guarding::<T>(),
            inner: parking_lot::Mutex::new(val),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Consumes the mutex, returning the value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// The guard of a lock taken by the call at `at`.
    #[inline]
    fn guard<'a>(
        &'a self,
        guard: parking_lot::MutexGuard<'a, T>,
        at: Site,
        took: Took,
    ) -> MutexGuard<'a, T> {
        let (hold, taker) =
            HoldGuard::exclusive(self.res.resource().holders(), HoldAs::Guard, true, at);
        ordered(self.res.resource(), Mode::Write, at, took, taker);
        MutexGuard {
            hold,
            guard,
            lock: BackRef::new(self),
        }
    }

    /// Locks, parking the thread until the lock is free, as parking_lot's.
    /// Parked: a `waits_on` edge with `op: lock`. The wait and the guard
    /// record this call's site (`#[track_caller]`).
    ///
    /// # Panics
    ///
    /// parking_lot deadlocks (never returns) when the thread already holds
    /// the lock; so does this.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if !cfg!(feature = "diagnostics") {
            return self.guard(self.inner.lock(), None, Took::Waiting);
        }
        let guard = match self.inner.try_lock() {
            Some(g) => g,
            None => block_on_wait!(thread: self.res.resource(), Op::Lock, self.inner.lock()),
        };
        self.guard(guard, caller(), Took::Waiting)
    }

    /// Locks if free now, as parking_lot's `try_lock`; the guard records
    /// this call's site.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let at = caller();
        self.inner
            .try_lock()
            .map(|g| self.guard(g, at, Took::AtOnce))
    }

    /// Locks, parking at most `timeout`, as parking_lot's `try_lock_for`;
    /// the wait and the guard record this call's site.
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> Option<MutexGuard<'_, T>> {
        let guard = match self.inner.try_lock() {
            Some(g) => Some(g),
            None => block_on_wait!(
                timed:
                self.res.resource(),
                Op::Lock,
                self.inner.try_lock_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.guard(g, at, Took::AtOnce))
    }

    /// Locks, parking until `deadline` at most, as parking_lot's
    /// `try_lock_until`; the wait and the guard record this call's site.
    #[track_caller]
    pub fn try_lock_until(&self, deadline: Instant) -> Option<MutexGuard<'_, T>> {
        let guard = match self.inner.try_lock() {
            Some(g) => Some(g),
            None => block_on_wait!(
                timed:
                self.res.resource(),
                Op::Lock,
                self.inner.try_lock_until(deadline)
            ),
        };
        let at = caller();
        guard.map(|g| self.guard(g, at, Took::AtOnce))
    }

    /// A mutable reference to the value: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether the mutex is locked now, as parking_lot's.
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// A raw pointer to the value, as parking_lot's `data_ptr`.
    pub fn data_ptr(&self) -> *mut T {
        self.inner.data_ptr()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(t: T) -> Self {
        Mutex::new(t)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// `MutexGuard::mutex` finds the mutex at parking_lot's address when the
/// node is zero-sized: without diagnostics it must be.
#[cfg(not(feature = "diagnostics"))]
const _: () = assert!(std::mem::size_of::<LazyResource>() == 0);

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    pub fn mutex(s: &Self) -> &'a Mutex<T> {
        if let Some(m) = s.lock.get() {
            return m;
        }
        // Without diagnostics (`BackRef` keeps nothing) the node is zero
        // sized (asserted at compile time below the guard types).
        let inner: *const parking_lot::Mutex<T> = parking_lot::MutexGuard::mutex(&s.guard);
        // SAFETY: `Mutex` is `repr(C)` with its node first, zero-sized
        // whenever `BackRef` keeps nothing (both are the runtime's no-op
        // twins), so it starts where `inner` does, with the same metadata;
        // the reference lives as long as the guard's borrow.
        unsafe { &*(inner as *const Mutex<T>) }
    }

    /// Makes a guard of a part of the value, as parking_lot's `map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(s: Self, f: F) -> MappedMutexGuard<'a, U> {
        let (hold, guard, _) = s.into_parts();
        MappedMutexGuard {
            hold,
            guard: parking_lot::MutexGuard::map(guard, f),
        }
    }

    /// As [`MutexGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        s: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let (hold, guard, lock) = s.into_parts();
        match parking_lot::MutexGuard::try_map(guard, f) {
            Ok(guard) => Ok(MappedMutexGuard { hold, guard }),
            Err(guard) => Err(MutexGuard { hold, guard, lock }),
        }
    }

    /// Unlocks while `f` runs, then locks again, as parking_lot's
    /// `unlocked`; the `held_by` edge is gone meanwhile, and is taken
    /// again at this call's site.
    #[track_caller]
    pub fn unlocked<F: FnOnce() -> U, U>(s: &mut Self, f: F) -> U {
        s.hold.release();
        let out = parking_lot::MutexGuard::unlocked(&mut s.guard, f);
        s.hold.reacquire(HoldAs::Guard, true, caller());
        out
    }

    /// Unlocks with a fair hand-off, as parking_lot's `unlock_fair`.
    pub fn unlock_fair(s: Self) {
        let (hold, guard, _) = s.into_parts();
        let mut hold = hold;
        hold.release();
        parking_lot::MutexGuard::unlock_fair(guard);
    }

    /// Hands the lock to a waiting thread if any, then takes it back, as
    /// parking_lot's `bump`.
    pub fn bump(s: &mut Self) {
        parking_lot::MutexGuard::bump(&mut s.guard);
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Maps further, as parking_lot's `MappedMutexGuard::map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(s: Self, f: F) -> MappedMutexGuard<'a, U> {
        let MappedMutexGuard { hold, guard } = s;
        MappedMutexGuard {
            hold,
            guard: parking_lot::MappedMutexGuard::map(guard, f),
        }
    }

    /// Maps further when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        s: Self,
        f: F,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let MappedMutexGuard { hold, guard } = s;
        match parking_lot::MappedMutexGuard::try_map(guard, f) {
            Ok(guard) => Ok(MappedMutexGuard { hold, guard }),
            Err(guard) => Err(MappedMutexGuard { hold, guard }),
        }
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

fmt_via_deref! {
    ['a, T: ?Sized] MutexGuard<'a, T>,
    ['a, T: ?Sized] MappedMutexGuard<'a, T>,
}
