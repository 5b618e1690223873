//! An instrumented `tokio::sync::Semaphore`.
//!
//! A pending acquire is a `waits_on` edge (`op: acquire`); each permit is a
//! `held_by` edge (`as: permit`) to the task that acquired it,
//! `confirmed: false` for owned permits. The node reports `permits` (made
//! with, plus added, minus forgotten: a relaxed counter updated next to
//! tokio's own) and `available` (`permits` less those the holds carry:
//! each permit's hold is weighted by its permit count, so taking a permit
//! adds no counter update of its own).

use crate::core::{
    At, Took, Waiting, block_on_wait, caller, ordered, ordered_owned, ordered_sole_permit,
};
use peeps_graph::Op;
use peeps_graph::{NodeKind, attr};
use peeps_runtime::__private::hold::{HoldAs, HoldGuard, HolderSet};
use peeps_runtime::__private::lockorder::Mode;
use peeps_runtime::__private::node::Describe;
use peeps_runtime::__private::ownership::{Key, Mark};
use peeps_runtime::__private::resource::{LazyResource, ResourceFacts};
use peeps_runtime::__private::wait::Site;
use std::borrow::Cow;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

pub use tokio::sync::{AcquireError, TryAcquireError};

/// A semaphore's permit count, read at snapshot time.
#[derive(Debug, Default)]
pub(crate) struct SemFacts {
    /// Permits made with, plus added, minus forgotten.
    permits: AtomicUsize,
}

impl From<u64> for SemFacts {
    fn from(permits: u64) -> Self {
        SemFacts {
            permits: AtomicUsize::new(permits as usize),
        }
    }
}

impl ResourceFacts for SemFacts {
    fn describe_held(&self, holders: &HolderSet, out: &mut Describe<'_>) {
        let permits = self.permits.load(Relaxed);
        out.attr(attr::PERMITS, permits);
        out.attr(
            attr::AVAILABLE,
            permits.saturating_sub(holders.weight(HoldAs::Permit)),
        );
    }
}

/// A counting semaphore: `tokio::sync::Semaphore` with permit holders and
/// waiters in the graph.
///
/// Same API and semantics as tokio's (FIFO fair, `acquire_many` waits its
/// turn); the node is named after the construction site, and
/// [`Semaphore::named`] renames it.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let sem = peeps_sync::Semaphore::new(2).named("db-connections");
/// let a = sem.acquire().await.unwrap();
/// let _b = sem.acquire().await.unwrap();
/// assert!(sem.try_acquire().is_err());
/// drop(a);
/// assert_eq!(sem.available_permits(), 1);
/// # }
/// ```
#[derive(Debug)]
pub struct Semaphore {
    res: LazyResource<SemFacts>,
    inner: tokio::sync::Semaphore,
}

/// Permits from a [`Semaphore`], as tokio's `SemaphorePermit`: a `held_by`
/// edge (`as: permit`) while it lives.
#[must_use]
#[clippy::has_significant_drop]
#[derive(Debug)]
pub struct SemaphorePermit<'a> {
    /// Weighted by the permit count.
    hold: HoldGuard<'a>,
    permit: tokio::sync::SemaphorePermit<'a>,
    sem: &'a Semaphore,
}

/// Owned permits from an `Arc<Semaphore>`, as tokio's
/// `OwnedSemaphorePermit`; its edge says `confirmed: false`.
#[must_use]
#[clippy::has_significant_drop]
#[derive(Debug)]
pub struct OwnedSemaphorePermit {
    /// Names the hold, so peeps finds the permit where it moves (see
    /// `peeps_runtime::__private::ownership`). Read as bytes by peeps' searches only.
    #[allow(dead_code)]
    mark: Mark,
    /// Weighted by the permit count.
    hold: HoldGuard<'static>,
    permit: tokio::sync::SemaphorePermit<'static>,
    // Dropped last: keeps alive what the fields above point into.
    sem: Arc<Semaphore>,
}

impl Semaphore {
    /// The most permits a semaphore can hold, as tokio's.
    pub const MAX_PERMITS: usize = tokio::sync::Semaphore::MAX_PERMITS;

    /// Creates a semaphore with `permits` permits, named after the call site.
    ///
    /// # Panics
    ///
    /// As tokio's: when `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Self {
        let s = Semaphore {
            res: LazyResource::new(
                NodeKind::Semaphore,
                Location::caller(),
                false,
                permits as u64,
            ),
            inner: tokio::sync::Semaphore::new(permits),
        };
        s.res.resource();
        s
    }

    /// Creates a semaphore in a `const` context; the node is registered on
    /// first use.
    ///
    /// # Panics
    ///
    /// As tokio's: when `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub const fn const_new(permits: usize) -> Self {
        Semaphore {
            res: LazyResource::new(
                NodeKind::Semaphore,
                Location::caller(),
                false,
                permits as u64,
            ),
            inner: tokio::sync::Semaphore::const_new(permits),
        }
    }

    /// Names the node `name` (default: the construction site).
    pub fn named(self, name: impl Into<Cow<'static, str>>) -> Self {
        self.res.resource().rename(name);
        self
    }

    /// The number of permits available now.
    pub fn available_permits(&self) -> usize {
        self.inner.available_permits()
    }

    /// Adds `n` permits, as tokio's `add_permits`.
    ///
    /// # Panics
    ///
    /// As tokio's: when the total would exceed [`Semaphore::MAX_PERMITS`].
    pub fn add_permits(&self, n: usize) {
        // Counted first: a waiter woken by the new permits must not read
        // the old total and take its permit for the sole one (a gate).
        if let Some(f) = self.res.facts() {
            f.permits.fetch_add(n, Relaxed);
        }
        self.inner.add_permits(n);
    }

    /// Removes up to `n` available permits, returning how many, as tokio's
    /// `forget_permits`.
    pub fn forget_permits(&self, n: usize) -> usize {
        let n = self.inner.forget_permits(n);
        if let Some(f) = self.res.facts() {
            f.permits.fetch_sub(n, Relaxed);
        }
        n
    }

    /// Whether a permit of `n` (not none) takes all the permits this
    /// semaphore has (made with, added, forgotten): it is then held
    /// exclusively, as a mutex guard is (a semaphore of one used as a
    /// lock).
    #[inline]
    fn takes_all(&self, n: usize) -> bool {
        n != 0
            && self
                .res
                .facts()
                .is_some_and(|f| f.permits.load(Relaxed) == n)
    }

    #[inline]
    fn set(&self) -> &HolderSet {
        self.res.resource().holders()
    }

    /// The permit acquired by the call at `at`.
    #[inline]
    fn permit<'a>(
        &'a self,
        permit: tokio::sync::SemaphorePermit<'a>,
        at: Site,
        took: Took,
    ) -> SemaphorePermit<'a> {
        let (hold, taker) =
            HoldGuard::weighted(self.set(), HoldAs::Permit, true, permit.num_permits(), at);
        if self.takes_all(permit.num_permits()) {
            ordered_sole_permit(self.res.resource(), at, took, taker);
        } else {
            ordered(self.res.resource(), Mode::Permit, at, took, taker);
        }
        SemaphorePermit {
            hold,
            permit,
            sem: self,
        }
    }

    /// The owned permit acquired by the call at `at`.
    fn owned(
        self: Arc<Self>,
        permit: tokio::sync::SemaphorePermit<'_>,
        at: Site,
        took: Took,
    ) -> OwnedSemaphorePermit {
        // SAFETY: the tokio semaphore, the holder set and the counters live
        // inside `self`'s allocation (or behind the resource it owns) and stay
        // put while the owned permit keeps `self`, which it drops last; the
        // references are never handed out.
        let (permit, set) = unsafe {
            let permit = crate::detach::detach(permit);
            let set = &*std::ptr::from_ref(self.set());
            (permit, set)
        };
        let (hold, ticket, taker) =
            HoldGuard::movable(set, HoldAs::Permit, permit.num_permits(), at);
        let sole = self.takes_all(permit.num_permits());
        ordered_owned(self.res.resource(), Mode::Permit, sole, at, took, taker);
        OwnedSemaphorePermit {
            mark: Mark::new(Key::hold(set.owner(), ticket)),
            hold,
            permit,
            sem: self,
        }
    }

    /// Acquires a permit, as tokio's `acquire`: FIFO fair. Pending: a
    /// `waits_on` edge with `op: acquire`. The wait and the permit record
    /// this call's site (`#[track_caller]`: a plain `fn` returning the
    /// future, as an `async fn` cannot take it).
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        let at = At::caller();
        async move {
            let permit = Waiting::new(
                self.res.resource(),
                Op::Acquire,
                at.site(),
                self.inner.acquire(),
            )
            .await?;
            Ok(self.permit(permit, at.site(), Took::awaited(&at)))
        }
    }

    /// Acquires `n` permits, as tokio's `acquire_many`; the wait and the
    /// permit record this call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn acquire_many(
        &self,
        n: u32,
    ) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        let at = At::caller();
        async move {
            let permit = Waiting::new(
                self.res.resource(),
                Op::Acquire,
                at.site(),
                self.inner.acquire_many(n),
            )
            .await?;
            Ok(self.permit(permit, at.site(), Took::awaited(&at)))
        }
    }

    /// Tries to acquire a permit, as tokio's `try_acquire`; the permit
    /// records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`]: closed, or no permits available.
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let permit = self.inner.try_acquire()?;
        Ok(self.permit(permit, caller(), Took::AtOnce))
    }

    /// Tries to acquire `n` permits, as tokio's `try_acquire_many`; the
    /// permit records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`]: closed, or not enough permits available.
    #[track_caller]
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let permit = self.inner.try_acquire_many(n)?;
        Ok(self.permit(permit, caller(), Took::AtOnce))
    }

    /// Blockingly acquires a permit, as tokio's `blocking_acquire`; the
    /// wait and the permit record this call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        let permit = block_on_wait!(
            self.res.resource(),
            Op::Acquire,
            self.inner.blocking_acquire()
        )?;
        Ok(self.permit(permit, caller(), Took::Waiting))
    }

    /// Blockingly acquires `n` permits, as tokio's `blocking_acquire_many`;
    /// the wait and the permit record this call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        let permit = block_on_wait!(
            self.res.resource(),
            Op::Acquire,
            self.inner.blocking_acquire_many(n)
        )?;
        Ok(self.permit(permit, caller(), Took::Waiting))
    }

    /// Acquires an owned permit, as tokio's `acquire_owned`; the wait and
    /// the permit record this call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn acquire_owned(
        self: Arc<Self>,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        let at = At::caller();
        async move {
            let permit = Waiting::new(
                self.res.resource(),
                Op::Acquire,
                at.site(),
                self.inner.acquire(),
            )
            .await?;
            // SAFETY: see `owned`.
            let permit = unsafe { crate::detach::detach(permit) };
            Ok(self.owned(permit, at.site(), Took::awaited(&at)))
        }
    }

    /// Acquires `n` owned permits, as tokio's `acquire_many_owned`; the
    /// wait and the permit record this call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Cancel safety
    ///
    /// As tokio's: dropping the future gives up the place in the queue.
    #[track_caller]
    pub fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        let at = At::caller();
        async move {
            let permit = Waiting::new(
                self.res.resource(),
                Op::Acquire,
                at.site(),
                self.inner.acquire_many(n),
            )
            .await?;
            // SAFETY: see `owned`.
            let permit = unsafe { crate::detach::detach(permit) };
            Ok(self.owned(permit, at.site(), Took::awaited(&at)))
        }
    }

    /// Tries to acquire an owned permit, as tokio's `try_acquire_owned`;
    /// the permit records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`]: closed, or no permits available.
    #[track_caller]
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        // SAFETY: see `owned`.
        let permit = unsafe { crate::detach::detach(self.inner.try_acquire()?) };
        Ok(self.owned(permit, caller(), Took::AtOnce))
    }

    /// Tries to acquire `n` owned permits, as tokio's
    /// `try_acquire_many_owned`; the permit records this call's site.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`]: closed, or not enough permits available.
    #[track_caller]
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        // SAFETY: see `owned`.
        let permit = unsafe { crate::detach::detach(self.inner.try_acquire_many(n)?) };
        Ok(self.owned(permit, caller(), Took::AtOnce))
    }

    /// Blockingly acquires an owned permit, as tokio's
    /// `blocking_acquire_owned`; the wait and the permit record this call's
    /// site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        let permit = block_on_wait!(
            self.res.resource(),
            Op::Acquire,
            self.inner.blocking_acquire()
        )?;
        // SAFETY: see `owned`.
        let permit = unsafe { crate::detach::detach(permit) };
        Ok(self.owned(permit, caller(), Took::Waiting))
    }

    /// Blockingly acquires `n` owned permits, as tokio's
    /// `blocking_acquire_many_owned`; the wait and the permit record this
    /// call's site.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed.
    ///
    /// # Panics
    ///
    /// As tokio's: when called within an asynchronous execution context.
    #[track_caller]
    pub fn blocking_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        let permit = block_on_wait!(
            self.res.resource(),
            Op::Acquire,
            self.inner.blocking_acquire_many(n)
        )?;
        // SAFETY: see `owned`.
        let permit = unsafe { crate::detach::detach(permit) };
        Ok(self.owned(permit, caller(), Took::Waiting))
    }

    /// Closes the semaphore: pending and future acquires fail, as tokio's.
    pub fn close(&self) {
        self.inner.close();
    }

    /// Whether the semaphore is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl<'a> SemaphorePermit<'a> {
    /// Forgets the permits without releasing them back, as tokio's
    /// `forget`; the `held_by` edge goes, and `permits` drops by as many.
    pub fn forget(self) {
        let SemaphorePermit {
            mut hold,
            permit,
            sem,
        } = self;
        hold.release();
        if let Some(f) = sem.res.facts() {
            f.permits.fetch_sub(permit.num_permits(), Relaxed);
        }
        permit.forget();
    }

    /// Merges `other`'s permits into this one, as tokio's `merge`; one
    /// `held_by` edge remains.
    ///
    /// # Panics
    ///
    /// As tokio's: when the permits are from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, other: Self) {
        let SemaphorePermit {
            mut hold, permit, ..
        } = other;
        hold.release();
        self.permit.merge(permit);
        self.hold.set_weight(self.permit.num_permits());
    }

    /// Splits `n` permits off into a new permit, as tokio's `split`; the new
    /// one is a `held_by` edge of its own, taken at this call's site.
    #[track_caller]
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let permit = self.permit.split(n)?;
        self.hold.set_weight(self.permit.num_permits());
        let at = caller();
        let (hold, taker) = HoldGuard::weighted(self.sem.set(), HoldAs::Permit, true, n, at);
        ordered(
            self.sem.res.resource(),
            Mode::Permit,
            at,
            Took::AtOnce,
            taker,
        );
        Some(SemaphorePermit {
            hold,
            permit,
            sem: self.sem,
        })
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Semaphore {
        self.sem
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permit.num_permits()
    }
}

impl OwnedSemaphorePermit {
    /// Forgets the permits without releasing them back, as tokio's `forget`.
    pub fn forget(self) {
        // Bound in this order, dropped in reverse: `hold`, which points
        // into `sem`, goes first.
        let OwnedSemaphorePermit {
            sem,
            permit,
            mut hold,
            ..
        } = self;
        hold.release();
        if let Some(f) = sem.res.facts() {
            f.permits.fetch_sub(permit.num_permits(), Relaxed);
        }
        permit.forget();
    }

    /// Merges `other`'s permits into this one, as tokio's `merge`.
    ///
    /// # Panics
    ///
    /// As tokio's: when the permits are from different semaphores.
    #[track_caller]
    pub fn merge(&mut self, other: Self) {
        // Dropped in reverse: `hold` before the `sem` it points into.
        let OwnedSemaphorePermit {
            sem: _sem,
            permit,
            mut hold,
            ..
        } = other;
        hold.release();
        self.permit.merge(permit);
        self.hold.set_weight(self.permit.num_permits());
    }

    /// Splits `n` permits off into a new owned permit, as tokio's `split`;
    /// its hold records this call's site.
    #[track_caller]
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let permit = self.permit.split(n)?;
        self.hold.set_weight(self.permit.num_permits());
        let sem = self.sem.clone();
        // SAFETY: the new permit keeps its own clone of the `Arc`, dropped
        // last, so the set it points into outlives the hold.
        let set = unsafe { &*std::ptr::from_ref(sem.set()) };
        let at = caller();
        let (hold, ticket, taker) = HoldGuard::movable(set, HoldAs::Permit, n, at);
        let sole = sem.takes_all(n);
        ordered_owned(
            sem.res.resource(),
            Mode::Permit,
            sole,
            at,
            Took::AtOnce,
            taker,
        );
        let mark = Mark::new(Key::hold(set.owner(), ticket));
        Some(OwnedSemaphorePermit {
            mark,
            hold,
            permit,
            sem,
        })
    }

    /// The semaphore the permits came from.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permit.num_permits()
    }
}
