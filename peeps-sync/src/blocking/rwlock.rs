//! The blocking reader-writer lock: `parking_lot::RwLock` with holder and
//! waiter edges.

use crate::core::{Took, block_on_wait, caller, fmt_via_deref, kept, ordered};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::hold::{HoldAs, HoldGuard, HolderSet};
use peeps_runtime::__private::lockorder::Mode;
use peeps_runtime::__private::resource::LazyResource;
use peeps_runtime::__private::wait::Site;
use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::time::Duration;

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

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // `hold` and `guard` drop after this: the lock is still held.
        kept(self.hold.owner(), &*self.guard);
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// The guard's parts, its value searched for handles first (see
    /// [`kept`]) as a drop would.
    fn into_parts(self) -> (HoldGuard<'a>, parking_lot::RwLockWriteGuard<'a, T>) {
        kept(self.hold.owner(), &*self.guard);
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is
        // moved out exactly once.
        unsafe { (std::ptr::read(&this.hold), std::ptr::read(&this.guard)) }
    }
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
            res: LazyResource::new(NodeKind::Rwlock, Location::caller(), true, 0).guarding::<T>(),
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
        mode: Mode,
        took: Took,
    ) -> RwLockReadGuard<'a, T> {
        let (hold, taker) = HoldGuard::new(self.set(), HoldAs::ReadGuard, true, at);
        ordered(self.res.resource(), mode, at, took, taker);
        RwLockReadGuard { hold, guard }
    }

    /// The write guard of a write lock taken by the call at `at`.
    #[inline]
    fn write_guard<'a>(
        &'a self,
        guard: parking_lot::RwLockWriteGuard<'a, T>,
        at: Site,
        took: Took,
    ) -> RwLockWriteGuard<'a, T> {
        let (hold, taker) = HoldGuard::exclusive(self.set(), HoldAs::Guard, true, at);
        ordered(self.res.resource(), Mode::Write, at, took, taker);
        RwLockWriteGuard { hold, guard }
    }

    /// The upgradable guard of a lock taken by the call at `at`.
    #[inline]
    fn upgradable_guard<'a>(
        &'a self,
        guard: parking_lot::RwLockUpgradableReadGuard<'a, T>,
        at: Site,
        took: Took,
    ) -> RwLockUpgradableReadGuard<'a, T> {
        // Exclusive of writers and of other upgradable reads: ordered as a
        // write.
        let (hold, taker) = HoldGuard::new(self.set(), HoldAs::ReadGuard, true, at);
        ordered(self.res.resource(), Mode::Write, at, took, taker);
        RwLockUpgradableReadGuard {
            hold,
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
            None => block_on_wait!(thread: self.res.resource(), Op::Read, self.inner.read()),
        };
        self.read_guard(guard, caller(), Mode::Read, Took::Waiting)
    }

    /// Locks for reading even if a writer waits (no deadlock on recursive
    /// reads), as parking_lot's `read_recursive`; the wait and the guard
    /// record this call's site.
    #[inline]
    #[track_caller]
    pub fn read_recursive(&self) -> RwLockReadGuard<'_, T> {
        let guard = match self.inner.try_read_recursive() {
            Some(g) => g,
            None => {
                block_on_wait!(thread: self.res.resource(), Op::Read, self.inner.read_recursive())
            }
        };
        self.read_guard(guard, caller(), Mode::ReadRecursive, Took::Waiting)
    }

    /// Locks for reading if possible now, as parking_lot's `try_read`; the
    /// guard records this call's site.
    #[inline]
    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        let at = caller();
        self.inner
            .try_read()
            .map(|g| self.read_guard(g, at, Mode::Read, Took::AtOnce))
    }

    /// Locks for reading, parking at most `timeout`; the wait and the
    /// guard record this call's site.
    #[track_caller]
    pub fn try_read_for(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        let guard = match self.inner.try_read() {
            Some(g) => Some(g),
            None => block_on_wait!(
                timed:
                self.res.resource(),
                Op::Read,
                self.inner.try_read_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.read_guard(g, at, Mode::Read, Took::AtOnce))
    }

    /// Locks for exclusive writing, as parking_lot's `write`. Parked:
    /// `waits_on` with `op: write`. The wait and the guard record this
    /// call's site (`#[track_caller]`).
    #[inline]
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        let guard = match self.inner.try_write() {
            Some(g) => g,
            None => block_on_wait!(thread: self.res.resource(), Op::Write, self.inner.write()),
        };
        self.write_guard(guard, caller(), Took::Waiting)
    }

    /// Locks for writing if possible now, as parking_lot's `try_write`;
    /// the guard records this call's site.
    #[inline]
    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        let at = caller();
        self.inner
            .try_write()
            .map(|g| self.write_guard(g, at, Took::AtOnce))
    }

    /// Locks for writing, parking at most `timeout`; the wait and the
    /// guard record this call's site.
    #[track_caller]
    pub fn try_write_for(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        let guard = match self.inner.try_write() {
            Some(g) => Some(g),
            None => block_on_wait!(
                timed:
                self.res.resource(),
                Op::Write,
                self.inner.try_write_for(timeout)
            ),
        };
        let at = caller();
        guard.map(|g| self.write_guard(g, at, Took::AtOnce))
    }

    /// Locks for upgradable reading, as parking_lot's `upgradable_read`.
    /// Parked: `waits_on` with `op: read`; held: `as: read_guard`. Both
    /// record this call's site.
    #[track_caller]
    pub fn upgradable_read(&self) -> RwLockUpgradableReadGuard<'_, T> {
        let guard = match self.inner.try_upgradable_read() {
            Some(g) => g,
            None => {
                block_on_wait!(thread: self.res.resource(), Op::Read, self.inner.upgradable_read())
            }
        };
        self.upgradable_guard(guard, caller(), Took::Waiting)
    }

    /// Locks for upgradable reading if possible now; the guard records
    /// this call's site.
    #[track_caller]
    pub fn try_upgradable_read(&self) -> Option<RwLockUpgradableReadGuard<'_, T>> {
        let at = caller();
        self.inner
            .try_upgradable_read()
            .map(|g| self.upgradable_guard(g, at, Took::AtOnce))
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
        let (hold, guard) = s.into_parts();
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
        let (hold, guard) = s.into_parts();
        match parking_lot::RwLockWriteGuard::try_map(guard, f) {
            Ok(guard) => Ok(MappedRwLockWriteGuard { hold, guard }),
            Err(guard) => Err(RwLockWriteGuard { hold, guard }),
        }
    }

    /// Atomically downgrades to a read guard, as parking_lot's; the edge
    /// becomes `as: read_guard`, taken at this call's site.
    #[track_caller]
    pub fn downgrade(s: Self) -> RwLockReadGuard<'a, T> {
        let (mut hold, guard) = s.into_parts();
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
                thread:
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
    ['a, T: ?Sized] RwLockReadGuard<'a, T>,
    ['a, T: ?Sized] RwLockWriteGuard<'a, T>,
    ['a, T: ?Sized] RwLockUpgradableReadGuard<'a, T>,
    ['a, T: ?Sized] MappedRwLockReadGuard<'a, T>,
    ['a, T: ?Sized] MappedRwLockWriteGuard<'a, T>,
}
