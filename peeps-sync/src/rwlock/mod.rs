//! An instrumented `tokio::sync::RwLock`.
//!
//! The lock is tokio's (a `tokio::sync::RwLock<()>`: write-preferring, FIFO
//! fair, cancel safe); the value lives in this wrapper's cell. A pending
//! `read` or `write` is a `waits_on` edge (`op: read | write`); each read
//! guard is a `held_by` edge with `as: read_guard`, a write guard one with
//! `as: guard`. Owned guards say `confirmed: false`. The node's `readers`
//! attribute counts the read guards. Every lock method records its call
//! site (attr `at`) on its wait and on the guard it returns.
//!
//! This file has the lock and the guards' layout; `guards.rs` what the
//! guards do (map, downgrade, deref).

mod guards;

use crate::core::{
    At, NotSendSync, Took, Waiting, block_on_wait, caller, kept, ordered, ordered_owned,
};
use peeps_graph::NodeKind;
use peeps_graph::Op;
use peeps_runtime::__private::hold::{HoldAs, HoldGuard, HolderSet};
use peeps_runtime::__private::lockorder::Mode;
use peeps_runtime::__private::ownership::{Key, Mark};
use peeps_runtime::__private::resource::LazyResource;
use peeps_runtime::__private::wait::Site;
use std::borrow::Cow;
use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::sync::Arc;

use tokio::sync::TryLockError;

type TokioRead<'a> = tokio::sync::RwLockReadGuard<'a, ()>;
type TokioWrite<'a> = tokio::sync::RwLockWriteGuard<'a, ()>;

/// An asynchronous reader-writer lock: `tokio::sync::RwLock` with holder
/// and waiter edges.
///
/// Same API and semantics as tokio's; the node is named after the
/// construction site, and [`RwLock::named`] renames it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let lock = peeps_sync::RwLock::new(5).named("config");
/// {
///     let r1 = lock.read().await;
///     let r2 = lock.read().await;
///     assert_eq!(*r1 + *r2, 10);
/// }
/// *lock.write().await += 1;
/// # }
/// ```
pub struct RwLock<T: ?Sized> {
    res: LazyResource,
    lock: tokio::sync::RwLock<()>,
    data: UnsafeCell<T>,
}

// SAFETY: tokio's bounds: readers share `&T` across threads.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// A read guard of a [`RwLock`], as tokio's `RwLockReadGuard`: a `held_by`
/// edge with `as: read_guard`.
#[clippy::has_significant_drop]
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: TokioRead<'a>,
    data: *const T,
    _marker: PhantomData<&'a T>,
}

/// A write guard of a [`RwLock`], as tokio's `RwLockWriteGuard`: a
/// `held_by` edge with `as: guard`.
#[clippy::has_significant_drop]
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: TokioWrite<'a>,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

/// A write guard of a part of a [`RwLock`]'s value, as tokio's
/// `RwLockMappedWriteGuard`.
#[clippy::has_significant_drop]
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    hold: HoldGuard<'a>,
    guard: TokioWrite<'a>,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

/// An owned read guard, as tokio's `OwnedRwLockReadGuard`;
/// `confirmed: false`.
#[clippy::has_significant_drop]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    /// Names the hold, so peeps finds the guard where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    hold: HoldGuard<'static>,
    guard: TokioRead<'static>,
    data: *const U,
    // Dropped last: keeps alive what `hold` and `guard` point into.
    lock: Arc<RwLock<T>>,
    /// Unpin only when `T` is, as tokio's.
    _unpin: PhantomData<T>,
}

/// An owned write guard, as tokio's `OwnedRwLockWriteGuard`;
/// `confirmed: false`.
#[clippy::has_significant_drop]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    /// Names the hold, so peeps finds the guard where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    hold: HoldGuard<'static>,
    guard: TokioWrite<'static>,
    lock: Arc<RwLock<T>>,
    _marker: (NotSendSync, PhantomData<T>),
}

/// An owned write guard of a part of the value, as tokio's
/// `OwnedRwLockMappedWriteGuard`; `confirmed: false`.
#[clippy::has_significant_drop]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    /// Names the hold, so peeps finds the guard where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    hold: HoldGuard<'static>,
    guard: TokioWrite<'static>,
    data: *mut U,
    lock: Arc<RwLock<T>>,
    /// Unpin only when `T` is, as tokio's.
    _unpin: PhantomData<T>,
}

// SAFETY (all below): tokio's bounds for the same guards; each is a `&T` or
// `&mut T` in disguise, and the owned ones can drop the value (T: Send).
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockReadGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedRwLockReadGuard<T, U> {}
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Send for OwnedRwLockWriteGuard<T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockMappedWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Send
    for OwnedRwLockMappedWriteGuard<T, U>
{
}
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync
    for OwnedRwLockMappedWriteGuard<T, U>
{
}

impl<T> RwLock<T> {
    /// Creates a new unlocked lock, named after the call site.
    #[track_caller]
    pub fn new(value: T) -> RwLock<T> {
        let mut l = Self::const_new(value);
        peeps_runtime::__private::lockorder::made(l.res.resource());
        kept(l.res.resource().id(), l.data.get_mut());
        l
    }

    /// Creates a new unlocked lock allowing at most `max_reads` concurrent
    /// readers, as tokio's `with_max_readers`.
    ///
    /// # Panics
    ///
    /// As tokio's: when `max_reads` is more than `u32::MAX >> 3`.
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        let mut l = RwLock {
            res: LazyResource::new(NodeKind::Rwlock, Location::caller(), false, 0).guarding::<T>(),
            lock: tokio::sync::RwLock::with_max_readers((), max_reads),
            data: UnsafeCell::new(value),
        };
        peeps_runtime::__private::lockorder::made(l.res.resource());
        kept(l.res.resource().id(), l.data.get_mut());
        l
    }

    /// Creates a new unlocked lock in a `const` context; the node is
    /// registered on first use.
    #[track_caller]
    pub const fn const_new(value: T) -> RwLock<T> {
        RwLock {
            res: LazyResource::new(NodeKind::Rwlock, Location::caller(), false, 0).guarding::<T>(),
            lock: tokio::sync::RwLock::const_new(()),
            data: UnsafeCell::new(value),
        }
    }

    /// As [`RwLock::with_max_readers`] in a `const` context.
    ///
    /// # Panics
    ///
    /// As tokio's: when `max_reads` is more than `u32::MAX >> 3`.
    #[track_caller]
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        RwLock {
            res: LazyResource::new(NodeKind::Rwlock, Location::caller(), false, 0).guarding::<T>(),
            lock: tokio::sync::RwLock::const_with_max_readers((), max_reads),
            data: UnsafeCell::new(value),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// Consumes the lock, returning the value.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    #[inline]
    fn set(&self) -> &HolderSet {
        self.res.resource().holders()
    }

    /// The holder set, detached from the borrow of `self` for an owned guard.
    ///
    /// # Safety
    ///
    /// The caller keeps the `Arc` holding `self` alive for as long as the
    /// reference is used (the owned guards drop it before their `Arc`).
    unsafe fn static_set(&self) -> &'static HolderSet {
        // SAFETY: by the caller's contract; the set lives behind the
        // resource owned by `self`.
        unsafe { &*std::ptr::from_ref(self.set()) }
    }

    /// The read guard of a read lock taken by the call at `at`.
    #[inline]
    fn read_guard<'a>(
        &'a self,
        guard: TokioRead<'a>,
        at: Site,
        took: Took,
    ) -> RwLockReadGuard<'a, T> {
        let (hold, taker) = HoldGuard::new(self.set(), HoldAs::ReadGuard, true, at);
        ordered(self.res.resource(), Mode::Read, at, took, taker);
        RwLockReadGuard {
            hold,
            guard,
            data: self.data.get(),
            _marker: PhantomData,
        }
    }

    /// The write guard of a write lock taken by the call at `at`.
    #[inline]
    fn write_guard<'a>(
        &'a self,
        guard: TokioWrite<'a>,
        at: Site,
        took: Took,
    ) -> RwLockWriteGuard<'a, T> {
        let (hold, taker) = HoldGuard::exclusive(self.set(), HoldAs::Guard, true, at);
        ordered(self.res.resource(), Mode::Write, at, took, taker);
        RwLockWriteGuard {
            hold,
            guard,
            data: self.data.get(),
            _marker: PhantomData,
        }
    }

    /// The owned read guard of a read lock taken by the call at `at`.
    fn owned_read(
        self: Arc<Self>,
        guard: TokioRead<'static>,
        at: Site,
        took: Took,
    ) -> OwnedRwLockReadGuard<T> {
        // SAFETY: the guard keeps `self` alive and drops `hold` first.
        let set = unsafe { self.static_set() };
        let (hold, ticket, taker) = HoldGuard::movable(set, HoldAs::ReadGuard, 1, at);
        ordered_owned(self.res.resource(), Mode::Read, false, at, took, taker);
        OwnedRwLockReadGuard {
            mark: Mark::new(Key::hold(set.owner(), ticket)),
            hold,
            guard,
            data: self.data.get(),
            lock: self,
            _unpin: PhantomData,
        }
    }

    /// The owned write guard of a write lock taken by the call at `at`.
    fn owned_write(
        self: Arc<Self>,
        guard: TokioWrite<'static>,
        at: Site,
        took: Took,
    ) -> OwnedRwLockWriteGuard<T> {
        // SAFETY: the guard keeps `self` alive and drops `hold` first.
        let set = unsafe { self.static_set() };
        let (hold, ticket, taker) = HoldGuard::exclusive_movable(set, HoldAs::Guard, at);
        ordered_owned(self.res.resource(), Mode::Write, false, at, took, taker);
        OwnedRwLockWriteGuard {
            mark: Mark::new(Key::hold(set.owner(), ticket)),
            hold,
            guard,
            lock: self,
            _marker: (PhantomData, PhantomData),
        }
    }

    /// Locks for shared read access, as tokio's `read`: waits behind
    /// queued writers (fair). Pending: `waits_on` with `op: read`. The wait
    /// and the read guard record this call's site (`#[track_caller]`: a
    /// plain `fn` returning the future, as an `async fn` cannot take it).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn read(&self) -> impl Future<Output = RwLockReadGuard<'_, T>> {
        let at = At::caller();
        async move {
            let guard =
                Waiting::new(self.res.resource(), Op::Read, at.site(), self.lock.read()).await;
            self.read_guard(guard, at.site(), Took::awaited(&at))
        }
    }

    /// Blockingly locks for read access, as tokio's `blocking_read`; the
    /// wait and the guard record this call's site.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        let guard = block_on_wait!(self.res.resource(), Op::Read, self.lock.blocking_read());
        self.read_guard(guard, caller(), Took::Waiting)
    }

    /// Locks an `Arc`'d lock for read access, as tokio's `read_owned`;
    /// the wait and the guard record this call's site (as [`RwLock::read`]).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn read_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockReadGuard<T>> {
        let at = At::caller();
        async move {
            let guard =
                Waiting::new(self.res.resource(), Op::Read, at.site(), self.lock.read()).await;
            // SAFETY: the owned guard keeps the `Arc` and drops it last.
            let guard = unsafe { crate::detach::detach(guard) };
            self.owned_read(guard, at.site(), Took::awaited(&at))
        }
    }

    /// Attempts a read lock, as tokio's `try_read`; the guard records this
    /// call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when a writer holds or waits for the lock.
    #[track_caller]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let guard = self.lock.try_read()?;
        Ok(self.read_guard(guard, caller(), Took::AtOnce))
    }

    /// Attempts a read lock of an `Arc`'d lock, as tokio's
    /// `try_read_owned`; the guard records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when a writer holds or waits for the lock.
    #[track_caller]
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        let guard = self.lock.try_read()?;
        // SAFETY: the owned guard keeps the `Arc` and drops it last.
        let guard = unsafe { crate::detach::detach(guard) };
        Ok(self.owned_read(guard, caller(), Took::AtOnce))
    }

    /// Locks for exclusive write access, as tokio's `write`. Pending:
    /// `waits_on` with `op: write`. The wait and the guard record this
    /// call's site (as [`RwLock::read`]).
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn write(&self) -> impl Future<Output = RwLockWriteGuard<'_, T>> {
        let at = At::caller();
        async move {
            let guard =
                Waiting::new(self.res.resource(), Op::Write, at.site(), self.lock.write()).await;
            self.write_guard(guard, at.site(), Took::awaited(&at))
        }
    }

    /// Blockingly locks for write access, as tokio's `blocking_write`; the
    /// wait and the guard record this call's site.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        let guard = block_on_wait!(self.res.resource(), Op::Write, self.lock.blocking_write());
        self.write_guard(guard, caller(), Took::Waiting)
    }

    /// Locks an `Arc`'d lock for write access, as tokio's `write_owned`;
    /// the wait and the guard record this call's site.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn write_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockWriteGuard<T>> {
        let at = At::caller();
        async move {
            let guard =
                Waiting::new(self.res.resource(), Op::Write, at.site(), self.lock.write()).await;
            // SAFETY: the owned guard keeps the `Arc` and drops it last.
            let guard = unsafe { crate::detach::detach(guard) };
            self.owned_write(guard, at.site(), Took::awaited(&at))
        }
    }

    /// Attempts a write lock, as tokio's `try_write`; the guard records
    /// this call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the lock is held.
    #[track_caller]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let guard = self.lock.try_write()?;
        Ok(self.write_guard(guard, caller(), Took::AtOnce))
    }

    /// Attempts a write lock of an `Arc`'d lock, as tokio's
    /// `try_write_owned`; the guard records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the lock is held.
    #[track_caller]
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        let guard = self.lock.try_write()?;
        // SAFETY: the owned guard keeps the `Arc` and drops it last.
        let guard = unsafe { crate::detach::detach(guard) };
        Ok(self.owned_write(guard, caller(), Took::AtOnce))
    }

    /// A mutable reference to the value: no locking needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(s: T) -> Self {
        Self::new(s)
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.lock.try_read() {
            // SAFETY: the read lock is held for the read.
            Ok(_g) => d.field("data", &unsafe { &*self.data.get() }),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}
