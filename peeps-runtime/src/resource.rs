//! The one core under every instrumented primitive: a resource node with
//! its pending waits ([`WaitList`]) and its holders ([`HolderSet`]).
//!
//! peeps-sync builds Mutex, RwLock, Semaphore, the channels and the rest on
//! [`Resource`], so the edge logic is written once, as tokio builds its locks
//! on one batch semaphore.

use crate::hold::HolderSet;
pub use crate::pair::{PairEnd, PairFacts};
use crate::node::{Describe, NodeCore, SourceLocation};
use crate::registry::{Entry, Registered};
use crate::wait::WaitList;
use peeps_graph::{NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::panic::Location;
use std::sync::{Arc, OnceLock};

/// Extra facts a resource reports at snapshot time (a channel's counters).
///
/// `RefUnwindSafe` (counters in atomics, not cells), so that a wrapper
/// holding its resource is as unwind safe as the tokio type it replaces.
pub trait ResourceFacts: Send + Sync + std::panic::RefUnwindSafe + 'static {
    /// Sets state and attributes beyond holders and waiters.
    fn describe(&self, _out: &mut Describe<'_>) {}

    /// As [`ResourceFacts::describe`], for facts of a resource node, told
    /// who holds it (a semaphore reports the permits its holds carry).
    fn describe_held(&self, _holders: &HolderSet, out: &mut Describe<'_>) {
        self.describe(out);
    }
}

/// The registry entry of a resource.
pub struct ResourceEntry {
    core: NodeCore,
    /// Pending waits on this resource.
    pub waits: Arc<WaitList>,
    /// Who holds it.
    pub holders: HolderSet,
    blocking: bool,
    facts: Option<OwnedFacts>,
    /// The type a lock guards (`std::any::type_name`), when it guards one.
    guarded: Option<fn() -> &'static str>,
}

/// The facts a resource entry owns, by raw pointer: a [`FactsPtr`] handed
/// out by [`Resource::build_with`] points at them, so they are never moved
/// or reborrowed uniquely after that pointer is made (a moved `Box` would
/// be).
struct OwnedFacts(std::ptr::NonNull<dyn ResourceFacts>);

impl OwnedFacts {
    fn get(&self) -> &dyn ResourceFacts {
        // SAFETY: made from a leaked box in `Resource::build_with`,
        // freed only in `drop`.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for OwnedFacts {
    fn drop(&mut self) {
        // SAFETY: the box leaked when this was made; nothing refers to it any
        // more (every `FactsPtr` is used only while a resource clone, hence
        // this entry, lives).
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: owns a `dyn ResourceFacts`, which is Send + Sync.
unsafe impl Send for OwnedFacts {}
// SAFETY: as above.
unsafe impl Sync for OwnedFacts {}

impl std::fmt::Debug for ResourceEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceEntry").field("core", &self.core).finish_non_exhaustive()
    }
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for ResourceEntry {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn holders(&self) -> Option<&HolderSet> {
        Some(&self.holders)
    }
    fn describe(&self, out: &mut Describe<'_>) {
        // Counted from the edges written, so the counts and the edges of
        // one snapshot agree even while holds and waits come and go. Waits
        // are read first: a task takes or confirms its hold before it waits
        // (an endpoint used by a receive, a lock's holder before the next
        // waiter), so a snapshot that shows a wait also shows what came
        // before it.
        let waiters = self.waits.describe(out);
        let holders = self.holders.describe(out);
        let state = if holders > 0 { "held" } else { "free" };
        out.state(state, self.core.created_ms);
        out.node.since_ms = None;
        out.attr(attr::HOLDERS, holders);
        out.attr(attr::WAITERS, waiters);
        if self.blocking {
            out.attr(attr::BLOCKING, true);
        }
        if self.core.kind == NodeKind::Rwlock {
            out.attr(attr::READERS, self.holders.count(crate::hold::HoldAs::ReadGuard));
        }
        if let Some(facts) = &self.facts {
            facts.get().describe_held(&self.holders, out);
        }
    }
}

/// A handle to a registered resource node. Clones share the node; it leaves
/// the registry when the last clone drops.
#[derive(Debug, Clone)]
pub struct Resource(Arc<Registered<ResourceEntry>>);

impl Resource {
    /// Registers a resource of `kind`, named after its construction site.
    #[track_caller]
    pub fn new(kind: NodeKind) -> Self {
        Self::build_owned(kind, Location::caller(), false, None, None)
    }

    fn build_owned(
        kind: NodeKind,
        location: &'static Location<'static>,
        blocking: bool,
        facts: Option<OwnedFacts>,
        guarded: Option<fn() -> &'static str>,
    ) -> Self {
        let name = Cow::Borrowed(crate::node::site_name(location));
        let core = NodeCore::new(kind, name, SourceLocation::Caller(location));
        let id = core.id;
        Resource(Arc::new(Registered::new(ResourceEntry {
            core,
            waits: Arc::new(WaitList::new(id)),
            holders: HolderSet::new(id),
            blocking,
            facts,
            guarded,
        })))
    }

    /// Registers a resource of `kind` made at `location` (`blocking` for
    /// primitives that park the thread: parking_lot) with facts `F`, which
    /// live in the node's entry
    /// (one allocation): returns a pointer to them, valid for as long as any
    /// clone of the returned resource lives.
    pub fn build_with<F: ResourceFacts>(
        kind: NodeKind,
        location: &'static Location<'static>,
        blocking: bool,
        facts: F,
    ) -> (Self, FactsPtr<F>) {
        Self::build_guarding(kind, location, blocking, facts, None)
    }

    /// As [`Resource::build_with`], for a lock guarding a value whose type
    /// `guarded` names.
    fn build_guarding<F: ResourceFacts>(
        kind: NodeKind,
        location: &'static Location<'static>,
        blocking: bool,
        facts: F,
        guarded: Option<fn() -> &'static str>,
    ) -> (Self, FactsPtr<F>) {
        let raw: *mut F = Box::into_raw(Box::new(facts));
        // SAFETY: `Box::into_raw` never returns null.
        let ptr = unsafe { std::ptr::NonNull::new_unchecked(raw) };
        let owned = OwnedFacts(ptr as std::ptr::NonNull<dyn ResourceFacts>);
        (Self::build_owned(kind, location, blocking, Some(owned), guarded), FactsPtr(ptr))
    }

    /// Renames the node (`.named(..)`).
    pub fn rename(&self, name: impl Into<Cow<'static, str>>) {
        self.0.core.rename(name.into());
        // A named lock's class is its name (see `crate::lockorder`).
        self.0.holders.order.reset();
    }

    /// The node's core (its kind, name and location).
    pub(crate) fn core(&self) -> &NodeCore {
        &self.0.core
    }

    /// Whether it parks the thread (parking_lot).
    pub(crate) fn blocking(&self) -> bool {
        self.0.blocking
    }

    /// The type of the value the lock guards, when it guards one.
    pub(crate) fn guarded_type(&self) -> Option<&'static str> {
        self.0.guarded.map(|name| name())
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.0.core.id
    }

    /// Pending waits on this resource.
    pub fn waits(&self) -> &Arc<WaitList> {
        &self.0.waits
    }

    /// Who holds it.
    pub fn holders(&self) -> &HolderSet {
        &self.0.holders
    }
}

/// A pointer to the facts inside a resource's entry (see
/// [`Resource::build_with`]); dereferenced only while that resource lives.
#[derive(Debug)]
pub struct FactsPtr<F>(std::ptr::NonNull<F>);

impl<F> Clone for FactsPtr<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for FactsPtr<F> {}

impl<F> FactsPtr<F> {
    /// The facts.
    ///
    /// # Safety
    ///
    /// The resource whose entry holds them must still live.
    pub(crate) unsafe fn as_ref(&self) -> &F {
        // SAFETY: the caller keeps the entry alive.
        unsafe { self.0.as_ref() }
    }
}

// SAFETY: a shared pointer to `F` (only `&F` is ever made from it): as
// `&F`, it may cross threads when `F: Sync`.
unsafe impl<F: Sync> Send for FactsPtr<F> {}
// SAFETY: as above.
unsafe impl<F: Sync> Sync for FactsPtr<F> {}

/// Facts of a resource that reports nothing beyond holders and waiters.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoFacts;

impl ResourceFacts for NoFacts {
    fn describe(&self, _out: &mut Describe<'_>) {}
}

impl From<u64> for NoFacts {
    fn from(_seed: u64) -> Self {
        NoFacts
    }
}

impl<F: ResourceFacts> ResourceFacts for Arc<F> {
    fn describe(&self, out: &mut Describe<'_>) {
        (**self).describe(out);
    }
    fn describe_held(&self, holders: &HolderSet, out: &mut Describe<'_>) {
        (**self).describe_held(holders, out);
    }
}

/// A guard's way back to the lock it came from: the reference. Without
/// diagnostics it is zero-sized and [`BackRef::get`] is `None`: every
/// resource handle (a [`LazyResource`]) is zero-sized then, so a wrapper
/// that puts its handle first in a `repr(C)` struct starts at the address
/// of what it wraps, and finds itself from there.
#[derive(Debug)]
pub struct BackRef<'a, M: ?Sized>(&'a M);

impl<M: ?Sized> Clone for BackRef<'_, M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: ?Sized> Copy for BackRef<'_, M> {}

impl<'a, M: ?Sized> BackRef<'a, M> {
    /// A way back to `m`.
    #[inline]
    pub fn new(m: &'a M) -> Self {
        BackRef(m)
    }

    /// The lock, when kept.
    #[inline]
    pub fn get(self) -> Option<&'a M> {
        Some(self.0)
    }
}

/// A resource registered on first use, for `const` constructors (a
/// `static` lock): the node appears when the primitive is first used, or at
/// once when built by a non-const constructor ([`LazyResource::resource`]).
///
/// `F` holds counters the primitive updates and reports at snapshot time;
/// it is made from `seed` (e.g. a semaphore's initial permits).
pub struct LazyResource<F = NoFacts> {
    cell: OnceLock<(Resource, FactsPtr<F>)>,
    kind: NodeKind,
    location: &'static Location<'static>,
    blocking: bool,
    seed: u64,
    guarded: Option<fn() -> &'static str>,
}

impl<F> std::fmt::Debug for LazyResource<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyResource")
            .field("resource", &self.cell.get().map(|c| c.0.id()))
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<F: ResourceFacts + From<u64>> LazyResource<F> {
    /// A resource of `kind` made at `location`, not registered yet.
    pub const fn new(kind: NodeKind, location: &'static Location<'static>, blocking: bool, seed: u64) -> Self {
        LazyResource { cell: OnceLock::new(), kind, location, blocking, seed, guarded: None }
    }

    /// The same, for a lock guarding a `T`: unnamed locks made at one site
    /// are one lock-order class per guarded type (the fields of a
    /// `#[derive(Default)]` struct are all made at the derive).
    pub const fn guarding<T: ?Sized>(mut self) -> Self {
        self.guarded = Some(std::any::type_name::<T>);
        self
    }

    /// The resource, registered now if it was not yet.
    #[inline]
    pub fn resource(&self) -> &Resource {
        match self.cell.get() {
            Some(c) => &c.0,
            None => &self.init().0,
        }
    }

    /// The counters, registering the resource if needed. Always `Some` with
    /// diagnostics (the no-op twin returns `None`, so updates compile away).
    #[inline]
    pub fn facts(&self) -> Option<&F> {
        let (_, facts) = match self.cell.get() {
            Some(c) => c,
            None => self.init(),
        };
        // SAFETY: the facts live in the entry of the resource in the same
        // cell, alive as long as `self`.
        Some(unsafe { facts.0.as_ref() })
    }

    #[cold]
    fn init(&self) -> &(Resource, FactsPtr<F>) {
        self.cell
            .get_or_init(|| {
                Resource::build_guarding(self.kind, self.location, self.blocking, F::from(self.seed), self.guarded)
            })
    }
}

/// A resource shared by several handles (a channel's endpoints), with
/// counters `F` every handle updates and the snapshot reads.
#[derive(Debug)]
pub struct SharedResource<F> {
    res: Resource,
    facts: FactsPtr<F>,
}

impl<F> Clone for SharedResource<F> {
    fn clone(&self) -> Self {
        SharedResource { res: self.res.clone(), facts: self.facts }
    }
}

impl<F: ResourceFacts> SharedResource<F> {
    /// Registers a resource of `kind` made at `location` with the counters
    /// `facts()` makes.
    pub fn build(kind: NodeKind, location: &'static Location<'static>, facts: impl FnOnce() -> F) -> Self {
        let (res, facts) = Resource::build_with(kind, location, false, facts());
        SharedResource { res, facts }
    }

    /// The resource node.
    #[inline]
    pub fn resource(&self) -> &Resource {
        &self.res
    }

    /// The counters. Always `Some` with diagnostics (the no-op twin returns
    /// `None`, so updates compile away).
    #[inline]
    pub fn facts(&self) -> Option<&F> {
        // SAFETY: the facts live in the entry `self.res` keeps alive.
        Some(unsafe { self.facts.0.as_ref() })
    }
}
