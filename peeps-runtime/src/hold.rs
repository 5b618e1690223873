//! `held_by` edges: who can release a resource.
//!
//! A resource owns a [`HolderSet`]. Taking a guard, a permit or an endpoint
//! calls [`HolderSet::acquire`] and gets a [`HoldToken`], which the guard
//! gives back with [`HolderSet::release`] when it drops (wherever it drops:
//! an owned guard moved to another task is still released correctly).
//!
//! The first two holders take lock-free slots (a compare-and-swap and a
//! store each; an exclusive guard a plain store), so an uncontended
//! lock+unlock, or a channel's sender and receiver, cost no lock and no
//! allocation; further concurrent holders (read guards, permits, cloned
//! endpoints) go to a list behind the set's own lock.

use crate::clock;
use crate::context::{self, Actor};
use crate::node::Describe;
use crate::slab::Slab;
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, NodeId, attr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use crate::op::HoldAs;

#[derive(Debug)]
struct HolderRecord {
    holder: NodeId,
    how: HoldAs,
    confirmed: bool,
    since: u64,
    weight: usize,
}

/// Who holds one resource.
#[derive(Debug)]
pub struct HolderSet {
    owner: NodeId,
    /// Lock-free slots for the first holders (a guard; a channel's sender
    /// and receiver; two readers), so the common cases take no lock and
    /// allocate nothing.
    fast: [FastSlot; FAST_SLOTS],
    slow: Mutex<Slab<HolderRecord>>,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl std::panic::UnwindSafe for HolderSet {}
impl std::panic::RefUnwindSafe for HolderSet {}

/// A holder's place in a [`HolderSet`]; give it back with
/// [`HolderSet::release`]. It keeps an ambient holder's node alive.
#[derive(Debug)]
#[must_use = "a hold must be released with HolderSet::release"]
pub struct HoldToken {
    slot: Slot,
    holder: NodeId,
    _keep: Option<Arc<crate::ambient::AmbientHandle>>,
}

/// Where a hold lives: fast slot `i` (stored as `i + 1`) or key `k` of the
/// slow list (stored as `k + 1 + FAST_SLOTS`). Non-zero, so an
/// `Option<HoldToken>` needs no tag byte: a guard's fields stay aligned
/// words that move without store-forwarding stalls.
#[derive(Debug, Clone, Copy)]
struct Slot(std::num::NonZeroUsize);

/// A [`Slot`], decoded.
enum SlotAt {
    Fast(usize),
    Slow(usize),
}

impl Slot {
    #[inline]
    fn fast(i: usize) -> Slot {
        Slot(std::num::NonZeroUsize::MIN.saturating_add(i))
    }

    #[inline]
    fn slow(key: usize) -> Slot {
        Slot(std::num::NonZeroUsize::MIN.saturating_add(key + FAST_SLOTS))
    }

    #[inline]
    fn at(self) -> SlotAt {
        let v = self.0.get() - 1;
        if v < FAST_SLOTS { SlotAt::Fast(v) } else { SlotAt::Slow(v - FAST_SLOTS) }
    }
}

/// The largest weight a fast slot's meta word carries; heavier holds go to
/// the slow list.
const MAX_FAST_WEIGHT: usize = 0xFFFF;

/// How many lock-free holder slots a set has.
const FAST_SLOTS: usize = 2;

/// One lock-free holder slot.
#[derive(Debug)]
struct FastSlot {
    /// Holder id, 0 when free.
    holder: AtomicU64,
    /// `since << 24 | weight << 8 | confirmed << 3 | how` (`since` is a
    /// coarse monotonic ms value: 40 bits last 34 years of uptime).
    meta: AtomicU64,
}

impl FastSlot {
    const fn free() -> FastSlot {
        FastSlot { holder: AtomicU64::new(0), meta: AtomicU64::new(0) }
    }
}

#[inline]
fn meta(how: HoldAs, confirmed: bool, since: u64, weight: usize) -> u64 {
    since << 24 | (weight as u64) << 8 | u64::from(confirmed) << 3 | how as u64
}

/// The `since` of a meta word.
#[inline]
fn meta_since(m: u64) -> u64 {
    m >> 24
}

/// Whether a meta word's hold is confirmed.
#[inline]
fn meta_confirmed(m: u64) -> bool {
    m >> 3 & 1 == 1
}

/// The weight of a meta word.
#[inline]
fn meta_weight(m: u64) -> usize {
    (m >> 8 & MAX_FAST_WEIGHT as u64) as usize
}

impl HolderSet {
    /// An empty set for resource `owner`.
    pub fn new(owner: NodeId) -> Self {
        HolderSet {
            owner,
            fast: [FastSlot::free(), FastSlot::free()],
            slow: Mutex::new(Slab::new()),
        }
    }

    /// Records the current task as a holder. `confirmed: false` when the
    /// attribution is a guess (an endpoint that task has not used yet).
    #[inline]
    pub fn acquire(&self, how: HoldAs, confirmed: bool) -> HoldToken {
        self.acquire_weighted(how, confirmed, 1)
    }

    /// As [`HolderSet::acquire`], for a hold that counts `weight` units (a
    /// permit of several semaphore permits): see [`HolderSet::weight`].
    #[inline]
    pub fn acquire_weighted(&self, how: HoldAs, confirmed: bool, weight: usize) -> HoldToken {
        let Actor { id, keep } = context::current_holder();
        self.acquire_for(id, keep, how, confirmed, weight)
    }

    /// As [`HolderSet::acquire`], for a hold no other hold of this set can
    /// be taken alongside (a mutex guard, a write guard), with no token:
    /// [`HolderSet::release_exclusive`] gives it back. It takes the first
    /// lock-free slot with two plain stores, without reading it first (on a
    /// contended lock its line comes from the last holder's core: a read
    /// and then a write would fetch it twice).
    ///
    /// Callers release the previous exclusive hold before the lock itself
    /// (a guard's hold is released before its inner guard), so the slot is
    /// free by then; a record still there is one whose guard was leaked
    /// (`mem::forget`) and cannot hold the lock any more than this one does.
    #[inline]
    pub fn hold_exclusive(&self, how: HoldAs, confirmed: bool) {
        // The holder lives without a reference (see `HoldGuard`).
        let Actor { id, keep: _ } = context::current_holder();
        let slot = &self.fast[0];
        slot.meta.store(meta(how, confirmed, clock::now_ms(), 1), Ordering::Relaxed);
        slot.holder.store(id, Ordering::Release);
    }

    /// Gives back the hold [`HolderSet::hold_exclusive`] took.
    #[inline]
    pub fn release_exclusive(&self) {
        self.release_slot(Slot::fast(0));
    }

    #[inline]
    fn acquire_for(
        &self,
        id: NodeId,
        keep: Option<Arc<crate::ambient::AmbientHandle>>,
        how: HoldAs,
        confirmed: bool,
        weight: usize,
    ) -> HoldToken {
        let since = clock::now_ms();
        let free = if weight <= MAX_FAST_WEIGHT {
            (0..FAST_SLOTS).find(|&i| {
                self.fast[i].holder.compare_exchange(0, id, Ordering::AcqRel, Ordering::Relaxed).is_ok()
            })
        } else {
            None
        };
        let slot = if let Some(i) = free {
            self.fast[i].meta.store(meta(how, confirmed, since, weight), Ordering::Release);
            Slot::fast(i)
        } else {
            self.acquire_slow(HolderRecord { holder: id, how, confirmed, since, weight })
        };
        HoldToken { slot, holder: id, _keep: keep }
    }

    #[cold]
    #[inline(never)]
    fn acquire_slow(&self, record: HolderRecord) -> Slot {
        Slot::slow(self.slow.lock().insert(record))
    }

    /// Changes the weight of the hold in `slot` (permits split off or
    /// merged in); it moves to the slow list when the weight no longer fits
    /// a fast slot.
    fn set_weight_at(&self, slot: &mut Slot, weight: usize) {
        match slot.at() {
            SlotAt::Fast(i) if weight <= MAX_FAST_WEIGHT => {
                let m = self.fast[i].meta.load(Ordering::Relaxed);
                let how = HoldAs::from_bits(m);
                let fresh = meta(how, meta_confirmed(m), meta_since(m), weight);
                self.fast[i].meta.store(fresh, Ordering::Release);
            }
            SlotAt::Fast(i) => {
                let m = self.fast[i].meta.load(Ordering::Relaxed);
                let record = HolderRecord {
                    holder: self.fast[i].holder.load(Ordering::Relaxed),
                    how: HoldAs::from_bits(m),
                    confirmed: meta_confirmed(m),
                    since: meta_since(m),
                    weight,
                };
                *slot = self.acquire_slow(record);
                self.fast[i].holder.store(0, Ordering::Release);
            }
            SlotAt::Slow(key) => {
                if let Some(r) = self.slow.lock().get_mut(key) {
                    r.weight = weight;
                }
            }
        }
    }

    /// The summed weight of the live holds held `how` (the permits held
    /// of a semaphore).
    pub fn weight(&self, how: HoldAs) -> usize {
        self.weights_held(how).into_iter().sum()
    }

    /// The weight of each live hold held `how`.
    fn weights_held(&self, how: HoldAs) -> Vec<usize> {
        let fast = self.fast.iter().filter_map(|f| {
            let live = f.holder.load(Ordering::Acquire) != 0;
            let m = f.meta.load(Ordering::Acquire);
            (live && HoldAs::from_bits(m) == how).then(|| meta_weight(m))
        });
        let slow = self.slow.lock();
        fast.chain(slow.iter().filter(|r| r.how == how).map(|r| r.weight)).collect()
    }

    /// Gives a hold back: its `held_by` edge disappears.
    #[inline]
    pub fn release(&self, token: HoldToken) {
        self.release_slot(token.slot);
    }

    /// Frees a hold's slot (its token is dropped by the caller).
    #[inline]
    fn release_slot(&self, slot: Slot) {
        match slot.at() {
            SlotAt::Fast(i) => self.fast[i].holder.store(0, Ordering::Release),
            SlotAt::Slow(key) => {
                self.slow.lock().remove(key);
            }
        }
    }

    /// Adds a `held_by` edge per live hold; returns how many.
    pub fn describe(&self, out: &mut Describe<'_>) -> usize {
        let mut n = 0;
        for f in &self.fast {
            let holder = f.holder.load(Ordering::Acquire);
            if holder != 0 {
                let m = f.meta.load(Ordering::Acquire);
                self.edge(out, holder, HoldAs::from_bits(m), meta_confirmed(m), meta_since(m));
                n += 1;
            }
        }
        let slow = self.slow.lock();
        for r in slow.iter() {
            self.edge(out, r.holder, r.how, r.confirmed, r.since);
        }
        n + slow.len()
    }

    fn edge(&self, out: &mut Describe<'_>, holder: NodeId, how: HoldAs, confirmed: bool, since: u64) {
        let mut attrs = Attrs::new();
        attrs.insert(attr::AS.into(), how.as_str().into());
        if !confirmed {
            attrs.insert(attr::CONFIRMED.into(), false.into());
        }
        out.edge(self.owner, holder, EdgeKind::HeldBy, since, attrs);
    }
}

impl HolderSet {
    /// How many live holds are held `how` (e.g. the read guards of a lock).
    pub fn count(&self, how: HoldAs) -> usize {
        self.weights_held(how).len()
    }

    /// Records the current task as the holder of a channel endpoint, not
    /// confirmed until that task uses it ([`HolderSet::touch_endpoint`]).
    pub fn acquire_endpoint(&self, how: HoldAs) -> EndpointHold {
        EndpointHold::new(self.acquire(how, false))
    }

    /// As [`HolderSet::acquire_endpoint`], attributed to node `maker` (who
    /// made a pair registered later, see [`crate::pair`]; a node that needs
    /// no reference kept: a peeps task, a thread's kept root, or a plain
    /// tokio task's derived id).
    pub(crate) fn acquire_endpoint_by(&self, maker: NodeId, how: HoldAs) -> EndpointHold {
        EndpointHold::new(self.acquire_for(maker, None, how, false, 1))
    }

    /// Marks an endpoint used by the current task: re-attributes it to that
    /// task if another one held it, and confirms it. Cheap when the same
    /// task uses it again: one thread-local read and a compare, no lock.
    ///
    /// `endpoint` is the address of the endpoint handle: a use confirms the
    /// attribution only when the handle lies inside the using task's own
    /// state ([`context::task_owns`]). A handle kept in shared memory (an
    /// `Arc`'d app state, a static) may be used next by any task: its
    /// attribution stays unconfirmed (regression: a certain false alarm on
    /// a sender in an `Arc<AppState>` used by one request so far).
    #[inline]
    pub fn touch_endpoint(&self, hold: &EndpointHold, how: HoldAs, endpoint: *const ()) {
        let user = hold.user.load(Ordering::Relaxed);
        if user != 0 && user == actor_key() {
            return;
        }
        self.touch_endpoint_slow(hold, how, context::task_owns(endpoint));
    }

    #[cold]
    fn touch_endpoint_slow(&self, hold: &EndpointHold, how: HoldAs, owned: bool) {
        let key = actor_key();
        let Actor { id, keep } = context::current_holder();
        let mut token = hold.token.lock();
        match token.take() {
            // Confirmed before and the same actor: only the key was stale
            // (an instrumented frame and a bare poll of one plain task).
            Some(t) if t.holder == id && hold.user.load(Ordering::Relaxed) != 0 => *token = Some(t),
            // First use by the task it was attributed to: confirm in place
            // (unless it is shared, which no use can confirm).
            Some(t) if t.holder == id => {
                if owned && !hold.shared.load(Ordering::Relaxed) {
                    self.confirm(&t);
                }
                *token = Some(t);
            }
            // Another task uses it. If a task had already used it, it is
            // shared (a sender in an `Arc`'d state, a pool of workers on one
            // receiver) or was handed on after use: either way its last user
            // is not the only one that can use it, so it stays unconfirmed
            // for good (regression: a certain false alarm on a sender shared
            // through `Arc<AppState>`). Otherwise it moved before its first
            // use: the new user holds it, confirmed.
            Some(t) => {
                let used_before = hold.user.load(Ordering::Relaxed) != 0;
                if used_before {
                    hold.shared.store(true, Ordering::Relaxed);
                }
                let confirmed = owned && !hold.shared.load(Ordering::Relaxed);
                self.release(t);
                *token = Some(self.acquire_for(id, keep, how, confirmed, 1));
            }
            None => {}
        }
        if token.is_some() {
            hold.user.store(key, Ordering::Relaxed);
        }
    }

    /// Marks a live hold confirmed, in place.
    fn confirm(&self, token: &HoldToken) {
        match token.slot.at() {
            SlotAt::Fast(i) => {
                self.fast[i].meta.fetch_or(1 << 3, Ordering::AcqRel);
            }
            SlotAt::Slow(key) => {
                if let Some(r) = self.slow.lock().get_mut(key) {
                    r.confirmed = true;
                }
            }
        }
    }

    /// Gives an endpoint's hold back (the endpoint dropped). Idempotent.
    pub fn release_endpoint(&self, hold: &EndpointHold) {
        let token = hold.token.lock().take();
        if let Some(t) = token {
            self.release(t);
        }
    }
}

/// The hold of a channel endpoint, used through `&self` (a `Sender` is
/// shared by reference): the token behind a small lock taken only when the
/// endpoint changes hands, and a key of the actor that last used it.
#[derive(Debug)]
pub struct EndpointHold {
    token: Mutex<Option<HoldToken>>,
    /// [`actor_key`] of the last user once confirmed; 0 while unconfirmed.
    user: AtomicU64,
    /// Used by more than one task: never confirmed again.
    shared: AtomicBool,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl std::panic::UnwindSafe for EndpointHold {}
impl std::panic::RefUnwindSafe for EndpointHold {}

impl EndpointHold {
    /// The hold of a new endpoint, unconfirmed and not used yet.
    fn new(token: HoldToken) -> Self {
        EndpointHold { token: Mutex::new(Some(token)), user: AtomicU64::new(0), shared: AtomicBool::new(false) }
    }
}


/// A key naming the actor polling now, cheap to compute: the frame's task
/// id inside an instrumented poll, else the plain tokio task's node id or
/// this thread's number (a `block_on` root). Different actors never share
/// a key: node ids are below 2^53, thread numbers carry bit 62.
#[inline]
fn actor_key() -> u64 {
    let frame = context::current();
    if frame.task != 0 {
        return frame.task;
    }
    match tokio::task::try_id() {
        // The plain task's node id: what its frames carry too.
        Some(id) => crate::ambient::foreign_id(id),
        None => THREAD_KEY.try_with(|k| *k).unwrap_or(0) | 1 << 62,
    }
}

static NEXT_THREAD_KEY: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static THREAD_KEY: u64 = NEXT_THREAD_KEY.fetch_add(1, Ordering::Relaxed);
}

/// A hold released when dropped: what a guard or permit embeds, so its
/// `held_by` edge goes exactly when the guard does (also during a panic,
/// and on whichever task drops it).
///
/// Two words, the set and the slot: a guard keeps no reference to its
/// holder's node, since every holder [`context::current_holder`] names
/// lives without one (a peeps task while it runs, a thread's kept root, a
/// plain tokio task's derived id), and keeps no holder id either (the slot
/// has it).
#[derive(Debug)]
pub struct HoldGuard<'r> {
    set: &'r HolderSet,
    slot: Option<Slot>,
}

impl<'r> HoldGuard<'r> {
    /// Records the current task as a holder of `set`.
    #[inline]
    pub fn new(set: &'r HolderSet, how: HoldAs, confirmed: bool) -> Self {
        HoldGuard { set, slot: Some(set.acquire(how, confirmed).slot) }
    }

    /// As [`HoldGuard::new`] for an exclusive hold (see
    /// [`HolderSet::hold_exclusive`]).
    #[inline]
    pub fn exclusive(set: &'r HolderSet, how: HoldAs, confirmed: bool) -> Self {
        set.hold_exclusive(how, confirmed);
        Self::adopt_exclusive(set)
    }

    /// Takes over the exclusive hold of `set` that
    /// [`HolderSet::hold_exclusive`] took (a guard that kept none of its
    /// own, mapped).
    #[inline]
    pub fn adopt_exclusive(set: &'r HolderSet) -> Self {
        HoldGuard { set, slot: Some(Slot::fast(0)) }
    }

    /// As [`HoldGuard::new`] for a hold of `weight` units (see
    /// [`HolderSet::acquire_weighted`]).
    #[inline]
    pub fn weighted(set: &'r HolderSet, how: HoldAs, confirmed: bool, weight: usize) -> Self {
        HoldGuard { set, slot: Some(set.acquire_weighted(how, confirmed, weight).slot) }
    }

    /// Changes the hold's weight, if it is held.
    pub fn set_weight(&mut self, weight: usize) {
        if let Some(slot) = &mut self.slot {
            self.set.set_weight_at(slot, weight);
        }
    }

    /// Releases the hold now (e.g. while a guard is temporarily unlocked).
    #[inline]
    pub fn release(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.set.release_slot(slot);
        }
    }

    /// Releases the hold, if any, and records the current task again.
    #[inline]
    pub fn reacquire(&mut self, how: HoldAs, confirmed: bool) {
        self.release();
        self.slot = Some(self.set.acquire(how, confirmed).slot);
    }
}

impl Drop for HoldGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            self.set.release_slot(slot);
        }
    }
}
