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
use crate::ownership::Key;
use crate::slab::Slab;
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, Evidence, NodeId, attr};
use std::sync::Arc;
use std::panic::Location;
use crate::loom::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

pub use crate::wait::Site;

pub use crate::op::HoldAs;

#[derive(Debug)]
struct HolderRecord {
    holder: NodeId,
    how: HoldAs,
    evidence: Evidence,
    since: u64,
    weight: usize,
    /// The hold's ticket (0: a hold that cannot move, named by no mark).
    ticket: u64,
    /// The call that took it.
    at: Site,
    /// The future inside the holder task that took it (0: the task itself).
    by: NodeId,
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
    /// The hold's ticket (0: one that cannot move).
    ticket: u64,
    _keep: Option<Arc<crate::ambient::AmbientHandle>>,
}

impl HoldToken {
    /// The ticket a mark names this hold by (0 for a hold that cannot move).
    #[inline]
    pub fn ticket(&self) -> u64 {
        self.ticket
    }
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
    /// `since << 24 | weight << 8 | evidence << 3 | how` (`since` is a
    /// coarse monotonic ms value: 40 bits last 34 years of uptime).
    meta: AtomicU64,
    /// The hold's ticket, meaningful only for a hold whose evidence is not
    /// `Acquired` (an exclusive guard's hold does not write it).
    ticket: AtomicU64,
    /// The call that took the hold (null: unknown), written by every hold.
    at: AtomicPtr<Location<'static>>,
    /// The future inside the holder task that took it (0: the task itself
    /// or unknown), written by every hold.
    by: AtomicU64,
}

impl FastSlot {
    fn free() -> FastSlot {
        FastSlot {
            holder: AtomicU64::new(0),
            meta: AtomicU64::new(0),
            ticket: AtomicU64::new(0),
            at: AtomicPtr::new(std::ptr::null_mut()),
            by: AtomicU64::new(0),
        }
    }
}

fn site_ptr(at: Site) -> *mut Location<'static> {
    at.map_or(std::ptr::null_mut(), |l| std::ptr::from_ref(l).cast_mut())
}

/// The instrumented future polling now inside holder `holder`, if it is
/// not the holder itself: the future that takes a hold.
#[inline]
fn taking_future(holder: NodeId) -> NodeId {
    let node = context::current().node;
    if node == holder { 0 } else { node }
}

fn site_of(p: *mut Location<'static>) -> Site {
    // SAFETY: a slot only ever holds null or a `&'static Location`.
    unsafe { p.cast_const().as_ref() }
}

#[inline]
fn meta(how: HoldAs, evidence: Evidence, since: u64, weight: usize) -> u64 {
    since << 24 | (weight as u64) << 8 | (evidence as u64) << 3 | how as u64
}

/// The evidence of a hold taken with or without proof of its holder.
#[inline]
fn evidence_of(confirmed: bool) -> Evidence {
    if confirmed { Evidence::Acquired } else { Evidence::Made }
}

/// The `since` of a meta word.
#[inline]
fn meta_since(m: u64) -> u64 {
    m >> 24
}

/// The evidence of a meta word's hold.
#[inline]
fn meta_evidence(m: u64) -> Evidence {
    Evidence::from_bits(m >> 3)
}

/// A meta word with another evidence and `since`.
#[inline]
fn meta_with(m: u64, evidence: Evidence, since: u64) -> u64 {
    meta(HoldAs::from_bits(m), evidence, since, meta_weight(m))
}

/// The weight of a meta word.
#[inline]
fn meta_weight(m: u64) -> usize {
    (m >> 8 & MAX_FAST_WEIGHT as u64) as usize
}

impl HolderSet {
    /// The node id of the resource this set belongs to.
    #[inline]
    pub fn owner(&self) -> NodeId {
        self.owner
    }

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
    pub fn acquire(&self, how: HoldAs, confirmed: bool, at: Site) -> HoldToken {
        self.acquire_weighted(how, confirmed, 1, at)
    }

    /// As [`HolderSet::acquire`], for a hold that counts `weight` units (a
    /// permit of several semaphore permits): see [`HolderSet::weight`].
    #[inline]
    pub fn acquire_weighted(&self, how: HoldAs, confirmed: bool, weight: usize, at: Site) -> HoldToken {
        let Actor { id, keep } = context::current_holder();
        self.acquire_for(id, keep, how, evidence_of(confirmed), weight, 0, at)
    }

    /// As [`HolderSet::acquire_weighted`], for a hold that can move to
    /// another task (an owned guard or permit): it gets a ticket, which the
    /// handle's mark carries ([`HoldToken::ticket`]), and its evidence is
    /// `made` until peeps sees where it goes.
    #[inline]
    pub fn acquire_movable(&self, how: HoldAs, weight: usize, at: Site) -> HoldToken {
        let Actor { id, keep } = context::current_holder();
        self.acquire_for(id, keep, how, Evidence::Made, weight, crate::id::next_id(), at)
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
    pub fn hold_exclusive(&self, how: HoldAs, confirmed: bool, at: Site) {
        // The holder lives without a reference (see `HoldGuard`).
        let Actor { id, keep: _ } = context::current_holder();
        let m = meta(how, evidence_of(confirmed), clock::now_ms(), 1);
        self.fill_exclusive(id, m, None, at, taking_future(id));
    }

    /// As [`HolderSet::hold_exclusive`], for an owned exclusive guard,
    /// which can move to another task: returns the hold's ticket (for the
    /// guard's mark); the evidence is `made`.
    #[inline]
    pub fn hold_exclusive_movable(&self, how: HoldAs, at: Site) -> u64 {
        let Actor { id, keep: _ } = context::current_holder();
        let ticket = crate::id::next_id();
        let m = meta(how, Evidence::Made, clock::now_ms(), 1);
        self.fill_exclusive(id, m, Some(ticket), at, taking_future(id));
        ticket
    }

    /// Writes an exclusive hold into the first slot, with plain stores:
    /// holder `id`, meta word `m`, the ticket of a hold that can move, the
    /// call that took it, and the future inside the holder that did.
    #[inline]
    fn fill_exclusive(&self, id: NodeId, m: u64, ticket: Option<u64>, at: Site, by: NodeId) {
        let slot = &self.fast[0];
        if let Some(ticket) = ticket {
            slot.ticket.store(ticket, Ordering::Relaxed);
        }
        slot.at.store(site_ptr(at), Ordering::Relaxed);
        slot.by.store(by, Ordering::Relaxed);
        slot.meta.store(m, Ordering::Relaxed);
        slot.holder.store(id, Ordering::Release);
    }

    /// Gives back the hold [`HolderSet::hold_exclusive`] took.
    #[inline]
    pub fn release_exclusive(&self) {
        self.release_slot(Slot::fast(0));
    }

    #[inline]
    #[allow(clippy::too_many_arguments)] // one hold's facts, written once
    fn acquire_for(
        &self,
        id: NodeId,
        keep: Option<Arc<crate::ambient::AmbientHandle>>,
        how: HoldAs,
        evidence: Evidence,
        weight: usize,
        ticket: u64,
        at: Site,
    ) -> HoldToken {
        let since = clock::now_ms();
        let by = if at.is_some() { taking_future(id) } else { 0 };
        let slot = self.take_slot(HolderRecord { holder: id, how, evidence, since, weight, ticket, at, by });
        HoldToken { slot, ticket, _keep: keep }
    }

    /// Puts hold `r` in a free lock-free slot, or in the slow list when
    /// none is free (or it is too heavy for one); returns where it went.
    #[inline]
    fn take_slot(&self, r: HolderRecord) -> Slot {
        let HolderRecord { holder: id, how, evidence, since, weight, ticket, at, by } = r;
        let free = if weight <= MAX_FAST_WEIGHT {
            (0..FAST_SLOTS).find(|&i| {
                self.fast[i].holder.compare_exchange(0, id, Ordering::AcqRel, Ordering::Relaxed).is_ok()
            })
        } else {
            None
        };
        if let Some(i) = free {
            if ticket != 0 || evidence != Evidence::Acquired {
                self.fast[i].ticket.store(ticket, Ordering::Relaxed);
            }
            self.fast[i].at.store(site_ptr(at), Ordering::Relaxed);
            self.fast[i].by.store(by, Ordering::Relaxed);
            self.fast[i].meta.store(meta(how, evidence, since, weight), Ordering::Release);
            Slot::fast(i)
        } else {
            self.acquire_slow(r)
        }
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
                let fresh = meta(how, meta_evidence(m), meta_since(m), weight);
                self.fast[i].meta.store(fresh, Ordering::Release);
            }
            SlotAt::Fast(i) => {
                let m = self.fast[i].meta.load(Ordering::Relaxed);
                let record = HolderRecord {
                    holder: self.fast[i].holder.load(Ordering::Relaxed),
                    how: HoldAs::from_bits(m),
                    evidence: meta_evidence(m),
                    since: meta_since(m),
                    weight,
                    ticket: self.fast[i].ticket.load(Ordering::Relaxed),
                    at: site_of(self.fast[i].at.load(Ordering::Relaxed)),
                    by: self.fast[i].by.load(Ordering::Relaxed),
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
                let evidence = meta_evidence(m);
                let ticket = if evidence == Evidence::Acquired { 0 } else { f.ticket.load(Ordering::Relaxed) };
                let at = site_of(f.at.load(Ordering::Relaxed));
                let by = f.by.load(Ordering::Relaxed);
                self.edge(out, holder, HoldAs::from_bits(m), evidence, meta_since(m), ticket, (at, by));
                n += 1;
            }
        }
        let slow = self.slow.lock();
        for r in slow.iter() {
            self.edge(out, r.holder, r.how, r.evidence, r.since, r.ticket, (r.at, r.by));
        }
        n + slow.len()
    }

    /// The key a mark of hold `ticket` of this set names.
    fn key(&self, ticket: u64) -> Key {
        if ticket & Key::PAIR != 0 { Key { owner: 0, ticket } } else { Key::hold(self.owner, ticket) }
    }

    #[allow(clippy::too_many_arguments)]
    fn edge(
        &self,
        out: &mut Describe<'_>,
        holder: NodeId,
        how: HoldAs,
        evidence: Evidence,
        since: u64,
        ticket: u64,
        (at, by): (Site, NodeId),
    ) {
        let taker = holder;
        let mut holder = holder;
        let mut in_state = false;
        if ticket != 0 {
            // Found in a task's own state: that confirms the holder peeps
            // believes, or names one for a hold peeps could only guess. A
            // move peeps saw to another holder stands: a find elsewhere is
            // then bytes the handle was moved out of.
            let key = self.key(ticket);
            if out.found.found_in(key, holder) {
                in_state = true;
            } else if matches!(evidence, Evidence::Made | Evidence::Shared)
                && let Some(task) = out.found.only_task_of(key)
            {
                holder = task;
                in_state = true;
            }
        }
        let mut attrs = Attrs::new();
        attrs.insert(attr::AS.into(), how.as_str().into());
        if !evidence.confirmed() && !in_state {
            attrs.insert(attr::CONFIRMED.into(), false.into());
        }
        if evidence != Evidence::Acquired {
            attrs.insert(attr::EVIDENCE.into(), evidence.as_str().into());
        }
        if in_state {
            attrs.insert(attr::IN_STATE.into(), true.into());
        }
        if let Some(at) = at {
            attrs.insert(attr::AT.into(), format!("{}:{}:{}", at.file(), at.line(), at.column()).into());
        }
        // Which future inside the holder took it, while the holder is still
        // the task that took it (not one it moved to).
        if by != 0 && holder == taker && matches!(evidence, Evidence::Acquired | Evidence::Made) {
            attrs.insert(attr::BY.into(), by.into());
        }
        out.edge(self.owner, holder, EdgeKind::HeldBy, since, attrs);
    }

    /// The movable hold `ticket` is now held by `to`, as `via` says (a move
    /// peeps saw: see [`crate::ownership::moved`]). Returns whether a live
    /// hold has that ticket. Cold.
    pub(crate) fn moved(&self, ticket: u64, to: NodeId, via: Evidence, now: u64) -> bool {
        for f in &self.fast {
            let holder = f.holder.load(Ordering::Acquire);
            if holder == 0 {
                continue;
            }
            let m = f.meta.load(Ordering::Acquire);
            if meta_evidence(m) == Evidence::Acquired || f.ticket.load(Ordering::Acquire) != ticket {
                continue;
            }
            // Claim the record from the holder read: a release (and a new
            // hold) in between makes the exchange fail, and the move is
            // then of a hold that is gone.
            if f.holder.compare_exchange(holder, to, Ordering::AcqRel, Ordering::Relaxed).is_ok() {
                f.meta.store(meta_with(m, via, now), Ordering::Release);
                return true;
            }
            return false;
        }
        let mut slow = self.slow.lock();
        for r in slow.iter_mut() {
            if r.ticket == ticket && r.evidence != Evidence::Acquired {
                r.holder = to;
                r.evidence = via;
                r.since = now;
                return true;
            }
        }
        false
    }

    /// The holder and evidence of the hold in `slot`, if live.
    fn record_at(&self, slot: Slot) -> Option<(NodeId, Evidence)> {
        match slot.at() {
            SlotAt::Fast(i) => {
                let holder = self.fast[i].holder.load(Ordering::Acquire);
                (holder != 0).then(|| (holder, meta_evidence(self.fast[i].meta.load(Ordering::Acquire))))
            }
            SlotAt::Slow(key) => self.slow.lock().get_mut(key).map(|r| (r.holder, r.evidence)),
        }
    }
}

impl HolderSet {
    /// How many live holds are held `how` (e.g. the read guards of a lock).
    pub fn count(&self, how: HoldAs) -> usize {
        self.weights_held(how).len()
    }

    /// Records the current task as the holder of a channel endpoint, with
    /// evidence `made` until a task uses it ([`HolderSet::touch_endpoint`])
    /// or peeps sees it move ([`crate::ownership`]).
    pub fn acquire_endpoint(&self, how: HoldAs) -> EndpointHold {
        EndpointHold::new(self.acquire_movable(how, 1, None))
    }

    /// As [`HolderSet::acquire_endpoint`], attributed to node `maker` (who
    /// made a pair registered later, see [`crate::pair`]; a node that needs
    /// no reference kept: a peeps task, a thread's kept root, or a plain
    /// tokio task's derived id), with the ticket its mark names.
    pub(crate) fn acquire_endpoint_by(&self, maker: NodeId, how: HoldAs, ticket: u64) -> EndpointHold {
        EndpointHold::new(self.acquire_for(maker, None, how, Evidence::Made, 1, ticket, None))
    }

    /// Marks an endpoint used by the current task. Cheap when the same
    /// task uses it again: one thread-local read and a compare, no lock.
    ///
    /// `endpoint` is the address of the endpoint handle: a use proves the
    /// holder (evidence `used`) only when the handle lies inside the using
    /// task's own state ([`context::task_owns`]). A handle kept in shared
    /// memory (an `Arc`'d app state, a static) may be used next by any
    /// task: a use there proves nothing (regression: a certain false alarm
    /// on a sender in an `Arc<AppState>` used by one request so far).
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
        let Some(t) = token.take() else {
            return;
        };
        let (holder, evidence) = self.record_at(t.slot).unwrap_or((0, Evidence::Made));
        if holder == id {
            // Its holder uses it: the first use from its own state proves
            // it; a holder that used it before, or one of several users,
            // stays as it is.
            if owned && !matches!(evidence, Evidence::Used | Evidence::Shared) {
                self.set_evidence(&t, Evidence::Used);
            }
            *token = Some(t);
        } else {
            // Another task uses it with no move peeps saw. If its holder had
            // used it, it is shared (a sender in an `Arc`'d state, a pool of
            // workers on one receiver) or was handed on after use: either
            // way its last user is not the only one that can use it, so it
            // stays unproven for good (regression: a certain false alarm on
            // a sender shared through `Arc<AppState>`). Otherwise it moved
            // before its holder used it: the new user holds it.
            // A use from shared memory (not the user's own state) proves
            // nothing about who holds it either.
            let next = if matches!(evidence, Evidence::Used | Evidence::Shared) || !owned {
                Evidence::Shared
            } else {
                Evidence::Used
            };
            let ticket = t.ticket;
            self.release(t);
            *token = Some(self.acquire_for(id, keep, how, next, 1, ticket, None));
        }
        hold.user.store(key, Ordering::Relaxed);
    }

    /// Sets a live hold's evidence, in place.
    fn set_evidence(&self, token: &HoldToken, evidence: Evidence) {
        match token.slot.at() {
            SlotAt::Fast(i) => {
                let m = self.fast[i].meta.load(Ordering::Acquire);
                self.fast[i].meta.store(meta_with(m, evidence, meta_since(m)), Ordering::Release);
            }
            SlotAt::Slow(key) => {
                if let Some(r) = self.slow.lock().get_mut(key) {
                    r.evidence = evidence;
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
    /// [`actor_key`] of the last user; 0 before any use.
    user: AtomicU64,
    /// The hold's ticket, which the endpoint's mark names.
    ticket: u64,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl std::panic::UnwindSafe for EndpointHold {}
impl std::panic::RefUnwindSafe for EndpointHold {}

impl EndpointHold {
    /// The hold of a new endpoint, not used yet.
    fn new(token: HoldToken) -> Self {
        let ticket = token.ticket;
        EndpointHold { token: Mutex::new(Some(token)), user: AtomicU64::new(0), ticket }
    }

    /// The ticket the endpoint's mark names.
    #[inline]
    pub fn ticket(&self) -> u64 {
        self.ticket
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

// A static: std's atomic also under loom (see `crate::loom`).
static NEXT_THREAD_KEY: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

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
    pub fn new(set: &'r HolderSet, how: HoldAs, confirmed: bool, at: Site) -> Self {
        HoldGuard { set, slot: Some(set.acquire(how, confirmed, at).slot) }
    }

    /// As [`HoldGuard::new`] for an exclusive hold (see
    /// [`HolderSet::hold_exclusive`]).
    #[inline]
    pub fn exclusive(set: &'r HolderSet, how: HoldAs, confirmed: bool, at: Site) -> Self {
        set.hold_exclusive(how, confirmed, at);
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
    pub fn weighted(set: &'r HolderSet, how: HoldAs, confirmed: bool, weight: usize, at: Site) -> Self {
        HoldGuard { set, slot: Some(set.acquire_weighted(how, confirmed, weight, at).slot) }
    }

    /// As [`HoldGuard::weighted`] for a hold that can move to another task
    /// (an owned permit or read guard): also returns the hold's ticket, for
    /// the handle's mark (see [`HolderSet::acquire_movable`]).
    #[inline]
    pub fn movable(set: &'r HolderSet, how: HoldAs, weight: usize, at: Site) -> (Self, u64) {
        let token = set.acquire_movable(how, weight, at);
        let ticket = token.ticket;
        (HoldGuard { set, slot: Some(token.slot) }, ticket)
    }

    /// As [`HoldGuard::exclusive`] for an owned exclusive guard, which can
    /// move to another task: also returns the hold's ticket.
    #[inline]
    pub fn exclusive_movable(set: &'r HolderSet, how: HoldAs, at: Site) -> (Self, u64) {
        let ticket = set.hold_exclusive_movable(how, at);
        (Self::adopt_exclusive(set), ticket)
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
    pub fn reacquire(&mut self, how: HoldAs, confirmed: bool, at: Site) {
        self.release();
        self.slot = Some(self.set.acquire(how, confirmed, at).slot);
    }

    /// As [`HoldGuard::reacquire`], as a hold that can move (an owned
    /// guard downgraded): returns the new hold's ticket.
    #[inline]
    pub fn reacquire_movable(&mut self, how: HoldAs, at: Site) -> u64 {
        self.release();
        let token = self.set.acquire_movable(how, 1, at);
        self.slot = Some(token.slot);
        token.ticket
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
