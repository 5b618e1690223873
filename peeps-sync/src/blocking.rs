//! Instrumented blocking locks: `parking_lot::Mutex` and `RwLock`.
//!
//! Same API as parking_lot's (the commonly used part of it: lock, try_lock,
//! timed locks, guards with `map`, `unlocked`, `downgrade`, upgradable
//! reads). The node has `blocking: true`. Every lock first tries without
//! parking, which costs one hold record more than parking_lot; only when
//! that fails is a `waits_on` edge recorded for as long as the thread is
//! parked. A task whose poll is parked here is blocked (DESIGN.md §4) and
//! its worker thread with it.
//!
//! # Examples
//!
//! ```
//! use peeps_sync::blocking::Mutex;
//! let m = Mutex::new(1).named("cache");
//! *m.lock() += 1;
//! assert_eq!(*m.lock(), 2);
//! ```

use crate::core::{block_on_wait, caller, fmt_via_deref};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::hold::{HoldAs, HoldGuard, HolderSet};
use peeps_runtime::resource::{BackRef, LazyResource};
use peeps_runtime::wait::Site;
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
            res: LazyResource::new(NodeKind::Mutex, Location::caller(), true, 0),
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
    fn guard<'a>(&'a self, guard: parking_lot::MutexGuard<'a, T>, at: Site) -> MutexGuard<'a, T> {
        let hold = HoldGuard::exclusive(self.res.resource().holders(), HoldAs::Guard, true, at);
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
            return self.guard(self.inner.lock(), None);
        }
        let guard = match self.inner.try_lock() {
            Some(g) => g,
            None => block_on_wait!(self.res.resource(), Op::Lock, self.inner.lock()),
        };
        self.guard(guard, caller())
    }

    /// Locks if free now, as parking_lot's `try_lock`; the guard records
    /// this call's site.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let at = caller();
        self.inner.try_lock().map(|g| self.guard(g, at))
    }

    /// Locks, parking at most `timeout`, as parking_lot's `try_lock_for`;
    /// the wait and the guard record this call's site.
    #[track_caller]
    pub fn try_lock_for(&self, timeout: Duration) -> Option<MutexGuard<'_, T>> {
        let guard = match self.inner.try_lock() {
            Some(g) => Some(g),
            None => block_on_wait!(
                self.res.resource(),
                Op::Lock,
                self.inner.try_lock_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.guard(g, at))
    }

    /// Locks, parking until `deadline` at most, as parking_lot's
    /// `try_lock_until`; the wait and the guard record this call's site.
    #[track_caller]
    pub fn try_lock_until(&self, deadline: Instant) -> Option<MutexGuard<'_, T>> {
        let guard = match self.inner.try_lock() {
            Some(g) => Some(g),
            None => block_on_wait!(
                self.res.resource(),
                Op::Lock,
                self.inner.try_lock_until(deadline)
            ),
        };
        let at = caller();
        guard.map(|g| self.guard(g, at))
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

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    pub fn mutex(s: &Self) -> &'a Mutex<T> {
        if let Some(m) = s.lock.get() {
            return m;
        }
        // Without diagnostics (`BackRef` keeps nothing) the node is zero
        // sized.
        debug_assert_eq!(std::mem::size_of::<LazyResource>(), 0);
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
        let MutexGuard { hold, guard, .. } = s;
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
        let MutexGuard { hold, guard, lock } = s;
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
        let MutexGuard { hold, guard, .. } = s;
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

/// A reader-writer lock that parks the thread: `parking_lot::RwLock` with
/// holder and waiter edges (`as: read_guard | guard`, `op: read | write`).
pub struct RwLock<T: ?Sized> {
    res: LazyResource,
    inner: parking_lot::RwLock<T>,
}

/// A read guard of a blocking [`RwLock`], as parking_lot's.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::RwLockReadGuard<'a, T>,
}

/// A write guard of a blocking [`RwLock`], as parking_lot's.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::RwLockWriteGuard<'a, T>,
}

/// An upgradable read guard, as parking_lot's: shares the lock with
/// readers, excludes writers and other upgradable readers.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct RwLockUpgradableReadGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::RwLockUpgradableReadGuard<'a, T>,
    lock: &'a RwLock<T>,
}

/// A read guard of a part of the value, as parking_lot's.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MappedRwLockReadGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::MappedRwLockReadGuard<'a, T>,
}

/// A write guard of a part of the value, as parking_lot's.
#[must_use = "if unused the RwLock will immediately unlock"]
#[clippy::has_significant_drop]
pub struct MappedRwLockWriteGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: parking_lot::MappedRwLockWriteGuard<'a, T>,
}

// SAFETY: parking_lot's bounds: sharing a guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockUpgradableReadGuard<'_, T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked lock, named after the call site. `const`, as
    /// parking_lot's; the node is registered on first use.
    #[track_caller]
    pub const fn new(val: T) -> RwLock<T> {
        RwLock {
            res: LazyResource::new(NodeKind::Rwlock, Location::caller(), true, 0),
            inner: parking_lot::RwLock::new(val),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Consumes the lock, returning the value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    #[inline]
    fn set(&self) -> &HolderSet {
        self.res.resource().holders()
    }

    /// The read guard of a read lock taken by the call at `at`.
    #[inline]
    fn read_guard<'a>(
        &'a self,
        guard: parking_lot::RwLockReadGuard<'a, T>,
        at: Site,
    ) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            hold: HoldGuard::new(self.set(), HoldAs::ReadGuard, true, at),
            guard,
        }
    }

    /// The write guard of a write lock taken by the call at `at`.
    #[inline]
    fn write_guard<'a>(
        &'a self,
        guard: parking_lot::RwLockWriteGuard<'a, T>,
        at: Site,
    ) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            hold: HoldGuard::exclusive(self.set(), HoldAs::Guard, true, at),
            guard,
        }
    }

    /// The upgradable guard of a lock taken by the call at `at`.
    #[inline]
    fn upgradable_guard<'a>(
        &'a self,
        guard: parking_lot::RwLockUpgradableReadGuard<'a, T>,
        at: Site,
    ) -> RwLockUpgradableReadGuard<'a, T> {
        RwLockUpgradableReadGuard {
            hold: HoldGuard::new(self.set(), HoldAs::ReadGuard, true, at),
            guard,
            lock: self,
        }
    }

    /// Locks for shared reading, parking while a writer holds or waits, as
    /// parking_lot's `read`. Parked: `waits_on` with `op: read`. The wait
    /// and the guard record this call's site (`#[track_caller]`).
    #[inline]
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        let guard = match self.inner.try_read() {
            Some(g) => g,
            None => block_on_wait!(self.res.resource(), Op::Read, self.inner.read()),
        };
        self.read_guard(guard, caller())
    }

    /// Locks for reading even if a writer waits (no deadlock on recursive
    /// reads), as parking_lot's `read_recursive`; the wait and the guard
    /// record this call's site.
    #[inline]
    #[track_caller]
    pub fn read_recursive(&self) -> RwLockReadGuard<'_, T> {
        let guard = match self.inner.try_read_recursive() {
            Some(g) => g,
            None => block_on_wait!(self.res.resource(), Op::Read, self.inner.read_recursive()),
        };
        self.read_guard(guard, caller())
    }

    /// Locks for reading if possible now, as parking_lot's `try_read`; the
    /// guard records this call's site.
    #[inline]
    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        let at = caller();
        self.inner.try_read().map(|g| self.read_guard(g, at))
    }

    /// Locks for reading, parking at most `timeout`; the wait and the
    /// guard record this call's site.
    #[track_caller]
    pub fn try_read_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        let guard = match self.inner.try_read() {
            Some(g) => Some(g),
            None => block_on_wait!(
                self.res.resource(),
                Op::Read,
                self.inner.try_read_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.read_guard(g, at))
    }

    /// Locks for exclusive writing, as parking_lot's `write`. Parked:
    /// `waits_on` with `op: write`. The wait and the guard record this
    /// call's site (`#[track_caller]`).
    #[inline]
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let guard = match self.inner.try_write() {
            Some(g) => g,
            None => block_on_wait!(self.res.resource(), Op::Write, self.inner.write()),
        };
        self.write_guard(guard, caller())
    }

    /// Locks for writing if possible now, as parking_lot's `try_write`;
    /// the guard records this call's site.
    #[inline]
    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        let at = caller();
        self.inner.try_write().map(|g| self.write_guard(g, at))
    }

    /// Locks for writing, parking at most `timeout`; the wait and the
    /// guard record this call's site.
    #[track_caller]
    pub fn try_write_for(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        let guard = match self.inner.try_write() {
            Some(g) => Some(g),
            None => block_on_wait!(
                self.res.resource(),
                Op::Write,
                self.inner.try_write_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.write_guard(g, at))
    }

    /// Locks for upgradable reading, as parking_lot's `upgradable_read`.
    /// Parked: `waits_on` with `op: read`; held: `as: read_guard`. Both
    /// record this call's site.
    #[track_caller]
    pub fn upgradable_read(&self) -> RwLockUpgradableReadGuard<'_, T> {
        let guard = match self.inner.try_upgradable_read() {
            Some(g) => g,
            None => block_on_wait!(self.res.resource(), Op::Read, self.inner.upgradable_read()),
        };
        self.upgradable_guard(guard, caller())
    }

    /// Locks for upgradable reading if possible now; the guard records
    /// this call's site.
    #[track_caller]
    pub fn try_upgradable_read(&self) -> Option<RwLockUpgradableReadGuard<'_, T>> {
        let at = caller();
        self.inner
            .try_upgradable_read()
            .map(|g| self.upgradable_guard(g, at))
    }

    /// A mutable reference to the value: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }

    /// Whether the lock is held now (shared or exclusive).
    pub fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// Whether the lock is held exclusively now.
    pub fn is_locked_exclusive(&self) -> bool {
        self.inner.is_locked_exclusive()
    }

    /// A raw pointer to the value, as parking_lot's `data_ptr`.
    pub fn data_ptr(&self) -> *mut T {
        self.inner.data_ptr()
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(t: T) -> Self {
        RwLock::new(t)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// Makes a read guard of a part of the value, as parking_lot's `map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&T) -> &U>(s: Self, f: F) -> MappedRwLockReadGuard<'a, U> {
        let RwLockReadGuard { hold, guard } = s;
        MappedRwLockReadGuard {
            hold,
            guard: parking_lot::RwLockReadGuard::map(guard, f),
        }
    }

    /// As [`RwLockReadGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&T) -> Option<&U>>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockReadGuard<'a, U>, Self> {
        let RwLockReadGuard { hold, guard } = s;
        match parking_lot::RwLockReadGuard::try_map(guard, f) {
            Ok(guard) => Ok(MappedRwLockReadGuard { hold, guard }),
            Err(guard) => Err(RwLockReadGuard { hold, guard }),
        }
    }

    /// Unlocks while `f` runs, then locks again, as parking_lot's; the
    /// hold is taken again at this call's site.
    #[track_caller]
    pub fn unlocked<F: FnOnce() -> U, U>(s: &mut Self, f: F) -> U {
        s.hold.release();
        let out = parking_lot::RwLockReadGuard::unlocked(&mut s.guard, f);
        s.hold.reacquire(HoldAs::ReadGuard, true, caller());
        out
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Makes a write guard of a part of the value, as parking_lot's `map`.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(
        s: Self,
        f: F,
    ) -> MappedRwLockWriteGuard<'a, U> {
        let RwLockWriteGuard { hold, guard } = s;
        MappedRwLockWriteGuard {
            hold,
            guard: parking_lot::RwLockWriteGuard::map(guard, f),
        }
    }

    /// As [`RwLockWriteGuard::map`] when `f` returns `Some`.
    ///
    /// # Errors
    ///
    /// The original guard when `f` returns `None`.
    #[inline]
    pub fn try_map<U: ?Sized, F: FnOnce(&mut T) -> Option<&mut U>>(
        s: Self,
        f: F,
    ) -> Result<MappedRwLockWriteGuard<'a, U>, Self> {
        let RwLockWriteGuard { hold, guard } = s;
        match parking_lot::RwLockWriteGuard::try_map(guard, f) {
            Ok(guard) => Ok(MappedRwLockWriteGuard { hold, guard }),
            Err(guard) => Err(RwLockWriteGuard { hold, guard }),
        }
    }

    /// Atomically downgrades to a read guard, as parking_lot's; the edge
    /// becomes `as: read_guard`, taken at this call's site.
    #[track_caller]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let RwLockWriteGuard { mut hold, guard } = s;
        let guard = parking_lot::RwLockWriteGuard::downgrade(guard);
        hold.reacquire(HoldAs::ReadGuard, true, caller());
        RwLockReadGuard { hold, guard }
    }

    /// Unlocks while `f` runs, then locks again, as parking_lot's; the
    /// hold is taken again at this call's site.
    #[track_caller]
    pub fn unlocked<F: FnOnce() -> U, U>(s: &mut Self, f: F) -> U {
        s.hold.release();
        let out = parking_lot::RwLockWriteGuard::unlocked(&mut s.guard, f);
        s.hold.reacquire(HoldAs::Guard, true, caller());
        out
    }
}

impl<'a, T: ?Sized> RwLockUpgradableReadGuard<'a, T> {
    /// Upgrades to a write guard, parking until the readers leave, as
    /// parking_lot's `upgrade`. Parked: `waits_on` with `op: write`; the
    /// wait and the write hold record this call's site.
    #[track_caller]
    pub fn upgrade(s: Self) -> RwLockWriteGuard<'a, T> {
        let RwLockUpgradableReadGuard {
            mut hold,
            guard,
            lock,
        } = s;
        let guard = match parking_lot::RwLockUpgradableReadGuard::try_upgrade(guard) {
            Ok(g) => g,
            Err(guard) => block_on_wait!(
                lock.res.resource(),
                Op::Write,
                parking_lot::RwLockUpgradableReadGuard::upgrade(guard)
            ),
        };
        hold.reacquire(HoldAs::Guard, true, caller());
        RwLockWriteGuard { hold, guard }
    }

    /// Upgrades if no reader holds the lock now; the write hold records
    /// this call's site.
    ///
    /// # Errors
    ///
    /// The original guard when readers hold the lock.
    #[track_caller]
    pub fn try_upgrade(s: Self) -> Result<RwLockWriteGuard<'a, T>, Self> {
        let RwLockUpgradableReadGuard {
            mut hold,
            guard,
            lock,
        } = s;
        match parking_lot::RwLockUpgradableReadGuard::try_upgrade(guard) {
            Ok(guard) => {
                hold.reacquire(HoldAs::Guard, true, caller());
                Ok(RwLockWriteGuard { hold, guard })
            }
            Err(guard) => Err(RwLockUpgradableReadGuard { hold, guard, lock }),
        }
    }

    /// Downgrades to a plain read guard.
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let RwLockUpgradableReadGuard { hold, guard, .. } = s;
        RwLockReadGuard {
            hold,
            guard: parking_lot::RwLockUpgradableReadGuard::downgrade(guard),
        }
    }
}

impl<'a, T: ?Sized> MappedRwLockReadGuard<'a, T> {
    /// Maps further.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&T) -> &U>(s: Self, f: F) -> MappedRwLockReadGuard<'a, U> {
        let MappedRwLockReadGuard { hold, guard } = s;
        MappedRwLockReadGuard {
            hold,
            guard: parking_lot::MappedRwLockReadGuard::map(guard, f),
        }
    }
}

impl<'a, T: ?Sized> MappedRwLockWriteGuard<'a, T> {
    /// Maps further.
    #[inline]
    pub fn map<U: ?Sized, F: FnOnce(&mut T) -> &mut U>(
        s: Self,
        f: F,
    ) -> MappedRwLockWriteGuard<'a, U> {
        let MappedRwLockWriteGuard { hold, guard } = s;
        MappedRwLockWriteGuard {
            hold,
            guard: parking_lot::MappedRwLockWriteGuard::map(guard, f),
        }
    }
}

macro_rules! deref_to_guard {
    (read: $($ty:ident),*) => {$(
        impl<T: ?Sized> Deref for $ty<'_, T> {
            type Target = T;
            #[inline]
            fn deref(&self) -> &T {
                &self.guard
            }
        }
    )*};
    (write: $($ty:ident),*) => {$(
        deref_to_guard!(read: $ty);
        impl<T: ?Sized> DerefMut for $ty<'_, T> {
            #[inline]
            fn deref_mut(&mut self) -> &mut T {
                &mut self.guard
            }
        }
    )*};
}

deref_to_guard!(read: RwLockReadGuard, RwLockUpgradableReadGuard, MappedRwLockReadGuard);
deref_to_guard!(write: RwLockWriteGuard, MappedRwLockWriteGuard);

fmt_via_deref! {
    ['a, T: ?Sized] MutexGuard<'a, T>,
    ['a, T: ?Sized] MappedMutexGuard<'a, T>,
    ['a, T: ?Sized] RwLockReadGuard<'a, T>,
    ['a, T: ?Sized] RwLockWriteGuard<'a, T>,
    ['a, T: ?Sized] RwLockUpgradableReadGuard<'a, T>,
    ['a, T: ?Sized] MappedRwLockReadGuard<'a, T>,
    ['a, T: ?Sized] MappedRwLockWriteGuard<'a, T>,
}
