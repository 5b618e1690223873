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
use crate::loom::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering, fence};

pub use crate::wait::Site;

mod notifiers;
pub use notifiers::Notifiers;

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
    /// The future inside the holder task that took it (0: the task itself);
    /// once it moved, the channel whose message brought it (`received`;
    /// else 0); for a shared channel end, the lock its uses were made
    /// under (see `guard_of_use`).
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
    /// The resource's lock class, once it was taken as a lock (see
    /// [`crate::lockorder`]).
    pub(crate) order: crate::lockorder::ClassCell,
    /// The flight recorder's logical clock of this resource (see
    /// [`crate::history`]).
    pub(crate) clock: AtomicU64,
    /// The last task that let go of a hold of this set peeps last saw with
    /// another task (0: none yet): see [`HolderSet::released_movable`].
    moved_unseen: AtomicU64,
    /// How many times one of this set's movable holds moved to another
    /// holder (wrapping): an endpoint's last user takes its use's fast
    /// path only while no move came since (see
    /// [`HolderSet::touch_endpoint`]).
    moves: AtomicU32,
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
    taker: Taker,
    _keep: Option<Arc<crate::ambient::AmbientHandle>>,
}

impl HoldToken {
    /// The ticket a mark names this hold by (0 for a hold that cannot move).
    #[inline]
    pub fn ticket(&self) -> u64 {
        self.ticket
    }

    /// Who took the hold, for the lock order.
    #[inline]
    pub fn taker(&self) -> Taker {
        self.taker
    }
}

/// Who took a hold, as the lock order wants it: the hold works it out
/// anyway (one read of the frame, one question to tokio outside a peeps
/// task) and hands it to the lock order's acquisition that follows (see
/// `lockorder::acquired`), which does not ask again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taker {
    /// The innermost instrumented future that took it below its task; 0
    /// when the task or thread itself did (no instrumented future around
    /// the call).
    pub(crate) by: NodeId,
    /// Outside a peeps task, the plain tokio task that took it (its node
    /// id), 0 for the thread; 0 in a peeps task.
    pub(crate) plain: u64,
}

impl Taker {
    /// For a hold no lock takes (a channel endpoint's): the lock order never
    /// reads it.
    pub(crate) const NONE: Taker = Taker { by: 0, plain: 0 };

    #[inline]
    pub(crate) fn new(by: NodeId, plain: u64) -> Taker {
        Taker { by, plain }
    }
}

/// Where a hold lives: fast slot `i` (stored as `i + 1`) or key `k` of the
/// slow list (stored as `k + 1 + FAST_SLOTS`), and whether the hold can
/// move ([`Slot::MOVES`]). Non-zero, so an `Option<HoldToken>` needs no tag
/// byte: a guard's fields stay aligned words that move without
/// store-forwarding stalls.
#[derive(Debug, Clone, Copy)]
struct Slot(std::num::NonZeroUsize);

/// A [`Slot`], decoded.
enum SlotAt {
    Fast(usize),
    Slow(usize),
}

impl Slot {
    /// The bit of a slot whose hold can move (an owned guard or permit, a
    /// channel end): its release checks who lets it go
    /// ([`HolderSet::released_movable`]).
    const MOVES: usize = 1 << (usize::BITS - 1);

    /// This slot, marked as the place of a hold that can move.
    #[inline]
    fn moving(self) -> Slot {
        Slot(self.0 | Self::MOVES)
    }

    /// Whether the hold here can move.
    #[inline]
    fn moves(self) -> bool {
        self.0.get() & Self::MOVES != 0
    }

    /// This slot, with the mark of a hold that can move taken off.
    #[inline]
    fn plain(self) -> Slot {
        Slot(std::num::NonZeroUsize::new(self.0.get() & !Self::MOVES).unwrap_or(std::num::NonZeroUsize::MIN))
    }

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
        let v = (self.0.get() & !Self::MOVES) - 1;
        if v < FAST_SLOTS { SlotAt::Fast(v) } else { SlotAt::Slow(v - FAST_SLOTS) }
    }
}

/// The largest weight a fast slot's meta word carries; heavier holds go to
/// the slow list.
const MAX_FAST_WEIGHT: usize = 0xFFFF;

/// How many lock-free holder slots a set has.
const FAST_SLOTS: usize = 2;

/// A holder word marking a lock-free slot being filled (not shown yet).
const CLAIMING: NodeId = u64::MAX;
/// A holder word marking a hold being moved to another holder (see
/// [`HolderSet::moved`]).
const MOVING: NodeId = u64::MAX - 1;

/// How many times a snapshot reads a slot whose hold changes under it
/// before it leaves it out (a hold that changed during the read just
/// began: it is too young to matter to a deadlock).
const READ_TRIES: usize = 3;

/// One lock-free holder slot.
#[derive(Debug)]
struct FastSlot {
    /// Holder id; 0 when free, [`CLAIMING`] while being filled, [`MOVING`]
    /// while its hold moves.
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
    /// or unknown), written by every hold; once it moved, the channel
    /// whose message brought it (`received`; else 0), written by the move;
    /// for a shared channel end, the lock its uses were made under.
    by: AtomicU64,
}

/// A fast slot's hold, as read at once.
#[derive(Debug, Clone, Copy)]
struct FastHold {
    /// The holder, or [`MOVING`].
    holder: NodeId,
    meta: u64,
    /// Meaningful only when the meta's evidence is not `Acquired`.
    ticket: u64,
    at: Site,
    by: NodeId,
}

impl FastSlot {
    /// The hold in this slot, read as one: `None` when the slot is free or
    /// being filled, or changed under every read tried.
    ///
    /// A sequence lock on the holder word: the fields read belong to the
    /// hold whose holder was read when the holder still reads the same
    /// after them, since every writer of a field first makes the holder
    /// read otherwise (a claim, a move, or for an exclusive hold the last
    /// holder's release), with a release fence after it. A later hold of
    /// the same holder in the same slot can pass for the one first read:
    /// the record is then that holder's, with fields of either hold.
    fn read(&self) -> Option<FastHold> {
        for _ in 0..READ_TRIES {
            let holder = self.holder.load(Ordering::Acquire);
            if holder == 0 || holder == CLAIMING {
                return None;
            }
            let hold = FastHold {
                holder,
                meta: self.meta.load(Ordering::Relaxed),
                ticket: self.ticket.load(Ordering::Relaxed),
                at: site_of(self.at.load(Ordering::Relaxed)),
                by: self.by.load(Ordering::Relaxed),
            };
            // Pairs with the writers' release fences: a field written after
            // one was read here, so the holder read next is not `holder`.
            fence(Ordering::Acquire);
            if self.holder.load(Ordering::Relaxed) == holder {
                return Some(hold);
            }
        }
        None
    }

    /// Moves the hold `ticket`, whose holder read `holder`, to `to`, as
    /// `via` says at `now`: claims the slot from that holder ([`MOVING`]),
    /// checks the claim caught that very hold, rewrites its meta and gives
    /// it its new holder. A release meanwhile (a plain store of 0, which a
    /// claim cannot hold off) wins: the move is then of a hold that is
    /// gone, and a hold taken after it keeps its own fields.
    ///
    /// Two moves at once in one slot, each of a hold released and taken
    /// anew in between, could take one another's claim; a move is a few
    /// instructions on a cold path, so that is left possible.
    fn move_to(&self, holder: NodeId, ticket: u64, m: crate::ownership::Move) -> bool {
        self.claim_move(holder, ticket).is_some_and(|meta| self.finish_move(holder, meta, m))
    }

    /// The first half of [`FastSlot::move_to`]: claims the slot from
    /// `holder` for the move of hold `ticket`; returns the hold's meta
    /// word, or `None` (and the slot as it was) when the claim did not
    /// catch that hold.
    fn claim_move(&self, holder: NodeId, ticket: u64) -> Option<u64> {
        self.holder.compare_exchange(holder, MOVING, Ordering::AcqRel, Ordering::Relaxed).ok()?;
        // As after a claim: see `read`.
        fence(Ordering::Release);
        let m = self.meta.load(Ordering::Relaxed);
        if meta_evidence(m) == Evidence::Acquired || self.ticket.load(Ordering::Relaxed) != ticket {
            // A later hold of the same holder: leave it as it was.
            let _ = self.holder.compare_exchange(MOVING, holder, Ordering::Release, Ordering::Relaxed);
            return None;
        }
        Some(m)
    }

    /// The second half of [`FastSlot::move_to`], on the claim
    /// [`FastSlot::claim_move`] took from `holder`, of a hold whose meta
    /// word read `meta`.
    fn finish_move(&self, holder: NodeId, meta: u64, m: crate::ownership::Move) -> bool {
        // A compare-and-swap, not a store: a release may have come since
        // the claim, and a hold taken after it has written its own meta.
        // If the hold's owner changed it instead, the hold stays its own.
        let rewritten = self
            .meta
            .compare_exchange(meta, meta_with(meta, m.via, m.since), Ordering::Relaxed, Ordering::Relaxed)
            .is_ok();
        if rewritten {
            // While the holder still reads `MOVING`: a read that saw the
            // old holder sees another one after this.
            self.by.store(m.from, Ordering::Relaxed);
        }
        let next = if rewritten { m.to } else { holder };
        // Fails when the hold was released since the claim.
        self.holder.compare_exchange(MOVING, next, Ordering::Release, Ordering::Relaxed).is_ok() && rewritten
    }

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

#[inline]
fn site_ptr(at: Site) -> *mut Location<'static> {
    at.map_or(std::ptr::null_mut(), |l| std::ptr::from_ref(l).cast_mut())
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
            order: crate::lockorder::ClassCell::new(),
            clock: AtomicU64::new(0),
            moved_unseen: AtomicU64::new(0),
            moves: AtomicU32::new(0),
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
        let (actor, taker) = context::current_lock_taker();
        self.acquire_for(actor, taker, how, evidence_of(confirmed), weight, 0, at)
    }

    /// As [`HolderSet::acquire_weighted`], for a hold that can move to
    /// another task (an owned guard or permit): it gets a ticket, which the
    /// handle's mark carries ([`HoldToken::ticket`]), and its evidence is
    /// `made` until peeps sees where it goes.
    #[inline]
    pub fn acquire_movable(&self, how: HoldAs, weight: usize, at: Site) -> HoldToken {
        let (actor, taker) = context::current_lock_taker();
        self.acquire_for(actor, taker, how, Evidence::Made, weight, crate::id::next_id(), at)
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
    ///
    /// Returns who took it, for the lock order.
    #[inline]
    pub fn hold_exclusive(&self, how: HoldAs, confirmed: bool, at: Site) -> Taker {
        // The holder lives without a reference (see `HoldGuard`).
        let (Actor { id, keep: _ }, taker) = context::current_lock_taker();
        let m = meta(how, evidence_of(confirmed), clock::now_ms(), 1);
        self.fill_exclusive(id, m, None, at, taker.by);
        crate::history::held(&self.clock, self.owner, id, how, at);
        taker
    }

    /// As [`HolderSet::hold_exclusive`], for an owned exclusive guard,
    /// which can move to another task: returns the hold's ticket (for the
    /// guard's mark) and who took it; the evidence is `made`.
    #[inline]
    pub fn hold_exclusive_movable(&self, how: HoldAs, at: Site) -> (u64, Taker) {
        let (Actor { id, keep: _ }, taker) = context::current_lock_taker();
        let ticket = crate::id::next_id();
        let m = meta(how, Evidence::Made, clock::now_ms(), 1);
        self.fill_exclusive(id, m, Some(ticket), at, taker.by);
        crate::history::held(&self.clock, self.owner, id, how, at);
        (ticket, taker)
    }

    /// Writes an exclusive hold into the first slot, with plain stores:
    /// holder `id`, meta word `m`, the ticket of a hold that can move, the
    /// call that took it, and the future inside the holder that did.
    #[inline]
    fn fill_exclusive(&self, id: NodeId, m: u64, ticket: Option<u64>, at: Site, by: NodeId) {
        let slot = &self.fast[0];
        // The last holder's release (ordered before this by the lock) is
        // this hold's claim: a snapshot that reads a field written below
        // then does not read that holder again (see `FastSlot::read`).
        fence(Ordering::Release);
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
        Actor { id, keep }: Actor,
        taker: Taker,
        how: HoldAs,
        evidence: Evidence,
        weight: usize,
        ticket: u64,
        at: Site,
    ) -> HoldToken {
        let since = clock::now_ms();
        let by = if at.is_some() { taker.by } else { 0 };
        let slot = self.take_slot(HolderRecord { holder: id, how, evidence, since, weight, ticket, at, by });
        let slot = if ticket != 0 { slot.moving() } else { slot };
        crate::history::held(&self.clock, self.owner, id, how, at);
        HoldToken { slot, ticket, taker, _keep: keep }
    }

    /// Puts hold `r` in a free lock-free slot, or in the slow list when
    /// none is free (or it is too heavy for one); returns where it went.
    #[inline]
    fn take_slot(&self, r: HolderRecord) -> Slot {
        let HolderRecord { holder: id, how, evidence, since, weight, ticket, at, by } = r;
        let free = if weight <= MAX_FAST_WEIGHT {
            (0..FAST_SLOTS).find(|&i| {
                self.fast[i].holder.compare_exchange(0, CLAIMING, Ordering::Acquire, Ordering::Relaxed).is_ok()
            })
        } else {
            None
        };
        if let Some(i) = free {
            let f = &self.fast[i];
            // A snapshot that reads a field written below then sees the
            // claim (or later) when it reads the holder again: it cannot
            // take them for the last hold's (see `FastSlot::read`).
            fence(Ordering::Release);
            if ticket != 0 || evidence != Evidence::Acquired {
                f.ticket.store(ticket, Ordering::Relaxed);
            }
            f.at.store(site_ptr(at), Ordering::Relaxed);
            f.by.store(by, Ordering::Relaxed);
            f.meta.store(meta(how, evidence, since, weight), Ordering::Relaxed);
            // Shown from here on, whole.
            f.holder.store(id, Ordering::Release);
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
                let moved = self.acquire_slow(record);
                *slot = if slot.moves() { moved.moving() } else { moved };
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
            let m = f.read()?.meta;
            (HoldAs::from_bits(m) == how).then(|| meta_weight(m))
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
    #[inline(always)]
    fn release_slot(&self, slot: Slot) {
        if slot.moves() {
            self.released_movable(slot);
        }
        crate::lockorder::released(self, || self.holder_at(slot));
        match slot.at() {
            SlotAt::Fast(i) => {
                self.history_release(i);
                self.fast[i].holder.store(0, Ordering::Release);
            }
            SlotAt::Slow(key) => {
                let gone = self.slow.lock().remove(key);
                if let Some(r) = gone {
                    crate::history::released(&self.clock, self.owner, r.holder, r.how, r.at);
                }
            }
        }
    }

    /// A hold that can move goes. When the task letting it go is a peeps
    /// task other than the holder
    /// peeps last saw, and no move peeps saw brought it there, it travelled
    /// through memory peeps does not read (a `Vec` or a map on the heap:
    /// a pool's list of connections to close): the set remembers that task
    /// ([`attr::MOVED_UNSEEN`]), and a later find of one of its holds in a
    /// task's state is no proof that the task still has it. A handle
    /// inside an unread message, shared, or handed off is not counted.
    #[inline(never)]
    fn released_movable(&self, slot: Slot) {
        let frame = context::current();
        if !frame.tracked || frame.task == 0 {
            return;
        }
        let Some((holder, evidence)) = self.record_at(slot) else {
            return;
        };
        let followed = holder == frame.task
            || matches!(holder, MOVING | CLAIMING | crate::ownership::UNSEEN)
            || matches!(evidence, Evidence::InMessage | Evidence::Shared);
        if !followed {
            self.moved_unseen.store(frame.task, Ordering::Relaxed);
        }
    }

    /// The holder of the live hold in `slot` (for the lock order, which
    /// keeps a plain task's locks by task).
    #[inline]
    fn holder_at(&self, slot: Slot) -> NodeId {
        match slot.at() {
            SlotAt::Fast(i) => self.fast[i].holder.load(Ordering::Relaxed),
            SlotAt::Slow(key) => self.slow_holder(key),
        }
    }

    #[cold]
    fn slow_holder(&self, key: usize) -> NodeId {
        self.slow.lock().get_mut(key).map_or(0, |r| r.holder)
    }

    /// Tells the flight recorder the hold in fast slot `i` goes (inline,
    /// the check alone: off, a thread-local load and a compare).
    #[inline(always)]
    fn history_release(&self, i: usize) {
        if crate::history::recording() {
            self.history_release_recorded(i);
        }
    }

    #[inline(never)]
    fn history_release_recorded(&self, i: usize) {
        let f = &self.fast[i];
        let how = HoldAs::from_bits(f.meta.load(Ordering::Relaxed));
        let at = site_of(f.at.load(Ordering::Relaxed));
        crate::history::released(&self.clock, self.owner, f.holder.load(Ordering::Relaxed), how, at);
    }

    /// Adds a `held_by` edge per live hold (and the resource's
    /// [`attr::MOVED_UNSEEN`]); returns how many.
    pub fn describe(&self, out: &mut Describe<'_>) -> usize {
        let moved_unseen = self.moved_unseen.load(Ordering::Relaxed);
        if moved_unseen != 0 {
            out.attr(attr::MOVED_UNSEEN, moved_unseen);
        }
        let mut n = 0;
        // A hold being moved is left out: for an instant its holder is
        // neither the old one nor the new one.
        for h in self.fast.iter().filter_map(FastSlot::read).filter(|h| h.holder != MOVING) {
            let evidence = meta_evidence(h.meta);
            let ticket = if evidence == Evidence::Acquired { 0 } else { h.ticket };
            self.edge(out, h.holder, HoldAs::from_bits(h.meta), evidence, meta_since(h.meta), ticket, (h.at, h.by));
            n += 1;
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
        if holder == crate::ownership::UNSEEN {
            // Handed to something peeps does not follow: counted by the
            // resource (its holders, its endpoints), drawn as no edge.
            return;
        }
        let taker = holder;
        let mut holder = holder;
        let mut in_state = false;
        // Published on a channel (a watch's value, a broadcast message:
        // `ownership::published` names the channel as the move's origin
        // too): anyone's for good, whatever bytes a task kept of it.
        let published = is_published(evidence, by, holder);
        let guarded = evidence == Evidence::Shared && !published;
        let mut evidence = evidence;
        if ticket != 0 && !published {
            // Found in a task's own state: that confirms the holder peeps
            // believes, or names one for a hold peeps could only guess. A
            // move peeps saw to another holder stands: a find elsewhere is
            // then bytes the handle was moved out of; so is a find of a
            // shared handle every use of which was made under one lock (it
            // is kept behind that lock, in its value or on the heap: a
            // registry's `Vec`), whatever layout left its bytes in the
            // task that filed it. Found in a `static`:
            // anyone's, its last user named (any find in a state is the
            // bytes it was moved out of, or a copy either way).
            let key = self.key(ticket);
            if evidence.can_move_unseen() && out.found.in_static(key) {
                evidence = Evidence::Shared;
            } else if out.found.found_in(key, holder) {
                in_state = true;
            } else if (evidence == Evidence::Made || evidence == Evidence::Shared && !kept_behind(by))
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
        // the task that took it (not one it moved to); for a handle received
        // in a message, the channel it came from.
        if by != 0 && holder == taker {
            match evidence {
                Evidence::Acquired | Evidence::Made => {
                    attrs.insert(attr::BY.into(), by.into());
                }
                Evidence::Received => {
                    attrs.insert(attr::FROM.into(), by.into());
                }
                Evidence::Shared if guarded && kept_behind(by) => {
                    attrs.insert(attr::GUARDED_BY.into(), by.into());
                }
                _ => {}
            }
        }
        if evidence == Evidence::Used && ticket != 0 && !published {
            // Proof while nothing copied it elsewhere: the snapshot looks
            // for it on the heap if its holder waits for what only it can
            // do (see `snapshot::unprove_filed_handles`).
            out.found.note_used(out.edges.len(), self.key(ticket));
        }
        out.edge(self.owner, holder, EdgeKind::HeldBy, since, attrs);
    }

    /// The movable hold `ticket` moved as `m` says (a move peeps saw: see
    /// [`crate::ownership::moved`]). Returns whether a live hold has that
    /// ticket. Cold.
    pub(crate) fn moved(&self, ticket: u64, m: crate::ownership::Move) -> bool {
        self.moved_seeding(ticket, m, None)
    }

    /// As [`moved`](Self::moved); `seed`: the saved lock list of the peeps
    /// task `m.to`, being spawned now (see `lockorder::moved`).
    pub(crate) fn moved_seeding(
        &self,
        ticket: u64,
        m: crate::ownership::Move,
        seed: Option<&crate::lockorder::Saved>,
    ) -> bool {
        crate::lockorder::moved(self, m.to, seed, || self.how_held(ticket));
        for f in &self.fast {
            let Some(h) = f.read().filter(|h| h.holder != MOVING) else {
                continue;
            };
            if meta_evidence(h.meta) != Evidence::Acquired && h.ticket == ticket {
                // A move to its own holder (a plain task's value moved into
                // a future it polls) keeps what peeps knew of it.
                if h.holder == m.to {
                    return true;
                }
                let moved = f.move_to(h.holder, ticket, m);
                if moved {
                    self.moves.fetch_add(1, Ordering::Relaxed);
                }
                return moved;
            }
        }
        let mut slow = self.slow.lock();
        for r in slow.iter_mut() {
            if r.ticket == ticket && r.evidence != Evidence::Acquired {
                if r.holder == m.to {
                    return true;
                }
                r.holder = m.to;
                r.evidence = m.via;
                r.since = m.since;
                r.by = m.from;
                self.moves.fetch_add(1, Ordering::Relaxed);
                return true;
            }
        }
        false
    }

    /// How the live movable hold `ticket` is held, and its holder, if there
    /// is one. Cold.
    fn how_held(&self, ticket: u64) -> Option<(HoldAs, NodeId)> {
        let fast = self.fast.iter().find_map(|f| {
            f.read()
                .filter(|h| h.holder != MOVING && h.ticket == ticket)
                .map(|h| (HoldAs::from_bits(h.meta), h.holder))
        });
        fast.or_else(|| {
            let slow = self.slow.lock();
            slow.iter().find(|r| r.ticket == ticket).map(|r| (r.how, r.holder))
        })
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
        EndpointHold::new(self.acquire_for(Actor { id: maker, keep: None }, Taker::NONE, how, Evidence::Made, 1, ticket, None))
    }

    /// Marks an endpoint used by the current task. Cheap when the same
    /// task uses it again: one thread-local read and a compare, no lock.
    ///
    /// `endpoint` is the address of the endpoint handle: a use proves the
    /// holder (evidence `used`) only when the handle lies inside the using
    /// context's own state ([`context::context_owns`]). A handle kept in shared
    /// memory (an `Arc`'d app state, a static) may be used next by any
    /// task: a use there proves nothing (regression: a certain false alarm
    /// on a sender in an `Arc<AppState>` used by one request so far).
    #[inline]
    pub fn touch_endpoint(&self, hold: &EndpointHold, how: HoldAs, endpoint: *const ()) {
        let user = hold.user.load(Ordering::Relaxed);
        let moves = self.moves.load(Ordering::Relaxed);
        if user != 0 && user == actor_key() && hold.user_moves.load(Ordering::Relaxed) == moves {
            return;
        }
        self.touch_endpoint_slow(hold, how, context::context_owns(endpoint), moves);
    }

    #[cold]
    fn touch_endpoint_slow(&self, hold: &EndpointHold, how: HoldAs, owned: bool, moves: u32) {
        // A use may be proof of its holder, but only while the census can
        // tell whether tasks peeps cannot see into run: a program with no
        // peeps spawn (a `#[tokio::main]` body using a channel) is counted
        // from its first use.
        crate::census::note_runtime();
        let key = actor_key();
        let Actor { id, keep } = context::current_holder();
        let mut token = hold.token.lock();
        let Some(t) = token.take() else {
            return;
        };
        let (holder, evidence) = self.record_at(t.slot).unwrap_or((0, Evidence::Made));
        // For a shared handle, the lock each use was made under so far.
        let guarded = if evidence == Evidence::Shared { self.by_at(t.slot) } else { 0 };
        if is_published(evidence, guarded, holder) {
            // Published (a watch's value, a lock's: see
            // `ownership::published`): a use through it, under the lock,
            // leaves it there for the next user. (One taken out of a lock
            // and kept stays counted there: a miss, never an alarm.)
            *token = Some(t);
        } else if holder == id {
            // Its holder uses it: the first use from its own state proves
            // it; a holder that used it before, or one of several users,
            // stays as it is.
            if owned && !matches!(evidence, Evidence::Used | Evidence::Shared) {
                self.set_evidence(&t, Evidence::Used);
            }
            if evidence == Evidence::Shared {
                self.set_by(t.slot, guard_of_use(guarded));
            }
            *token = Some(t);
        } else {
            // Another task uses it with no move peeps saw (or a move peeps
            // took from stale bytes: its last user, still using it, found
            // its mark left in a future built where it once was). If its holder had
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
            // A use, not a release: the new user takes the hold over.
            self.release_slot(t.slot.plain());
            let taken = self.acquire_for(Actor { id, keep }, Taker::NONE, how, next, 1, ticket, None);
            if next == Evidence::Shared {
                self.set_by(taken.slot, guard_of_use(guarded));
            }
            *token = Some(taken);
        }
        hold.user.store(key, Ordering::Relaxed);
        hold.user_moves.store(moves, Ordering::Relaxed);
    }

    /// The `by` word of the live hold in `slot` (0 when gone).
    fn by_at(&self, slot: Slot) -> NodeId {
        match slot.at() {
            SlotAt::Fast(i) => self.fast[i].by.load(Ordering::Relaxed),
            SlotAt::Slow(key) => self.slow.lock().get_mut(key).map_or(0, |r| r.by),
        }
    }

    /// Sets the `by` word of the live hold in `slot`, in place (for a
    /// shared handle, the lock its uses were made under: a word a
    /// snapshot may read torn from the hold's other fields, which is
    /// harmless for an attribute).
    fn set_by(&self, slot: Slot, by: NodeId) {
        match slot.at() {
            SlotAt::Fast(i) => self.fast[i].by.store(by, Ordering::Relaxed),
            SlotAt::Slow(key) => {
                if let Some(r) = self.slow.lock().get_mut(key) {
                    r.by = by;
                }
            }
        }
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
    /// Its set's move count at that use: a move since (of this hold or of
    /// another of the set's) sends the next use down the slow path, where
    /// a last user that uses the handle again after a move peeps took from
    /// its stale bytes (a spawn's scan of a future built where the handle
    /// once was) takes it back.
    user_moves: AtomicU32,
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
        EndpointHold {
            token: Mutex::new(Some(token)),
            user: AtomicU64::new(0),
            user_moves: AtomicU32::new(0),
            ticket,
        }
    }

    /// The ticket the endpoint's mark names.
    #[inline]
    pub fn ticket(&self) -> u64 {
        self.ticket
    }
}

/// Whether a hold held by `holder` as `evidence`, its `by` word `by`, is
/// published at its holder (a channel's value or message, a lock's value:
/// `ownership::published` names the place as the move's origin too).
#[inline]
fn is_published(evidence: Evidence, by: NodeId, holder: NodeId) -> bool {
    evidence == Evidence::Shared && by == holder
}

/// The `by` word of a shared handle none of whose uses was made under one
/// same exclusive lock.
const NO_GUARD: NodeId = u64::MAX;

/// Whether a shared handle whose `by` word is `by` was used under one lock
/// at every use so far: kept behind that lock.
fn kept_behind(by: NodeId) -> bool {
    by != 0 && by != NO_GUARD
}

/// The lock a shared handle's uses were all made under, this one included,
/// given what was known before it (`guarded`: 0 before the first, else the
/// lock, or [`NO_GUARD`]): the innermost lock the user holds exclusively
/// at its first use, kept while every later use holds it too (the lockset
/// of a race detector, cut to one lock). A receiver shared by workers as
/// `Arc<Mutex<Receiver>>` is used under that mutex, always.
#[cold]
fn guard_of_use(guarded: NodeId) -> NodeId {
    if guarded == NO_GUARD {
        return NO_GUARD;
    }
    let (mut innermost, mut still) = (0, false);
    crate::lockorder::held_exclusive(|lock| {
        innermost = lock;
        still |= lock == guarded;
    });
    match guarded {
        0 if innermost != 0 => innermost,
        0 => NO_GUARD,
        _ if still => guarded,
        _ => NO_GUARD,
    }
}

/// A key naming the actor polling now, cheap to compute: the frame's task
/// id inside an instrumented poll, else the plain tokio task's node id or
/// this thread's number (a `block_on` root). Different actors never share
/// a key: node ids are below 2^53, thread numbers carry bit 62.
#[inline]
pub(crate) fn actor_key() -> u64 {
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
    /// Records the current task as a holder of `set`; also returns who
    /// took the hold, for the lock order (each constructor does).
    #[inline]
    pub fn new(set: &'r HolderSet, how: HoldAs, confirmed: bool, at: Site) -> (Self, Taker) {
        let token = set.acquire(how, confirmed, at);
        (HoldGuard { set, slot: Some(token.slot) }, token.taker)
    }

    /// As [`HoldGuard::new`] for an exclusive hold (see
    /// [`HolderSet::hold_exclusive`]).
    #[inline]
    pub fn exclusive(set: &'r HolderSet, how: HoldAs, confirmed: bool, at: Site) -> (Self, Taker) {
        let taker = set.hold_exclusive(how, confirmed, at);
        (Self::adopt_exclusive(set), taker)
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
    pub fn weighted(set: &'r HolderSet, how: HoldAs, confirmed: bool, weight: usize, at: Site) -> (Self, Taker) {
        let token = set.acquire_weighted(how, confirmed, weight, at);
        (HoldGuard { set, slot: Some(token.slot) }, token.taker)
    }

    /// As [`HoldGuard::weighted`] for a hold that can move to another task
    /// (an owned permit or read guard): also returns the hold's ticket, for
    /// the handle's mark (see [`HolderSet::acquire_movable`]).
    #[inline]
    pub fn movable(set: &'r HolderSet, how: HoldAs, weight: usize, at: Site) -> (Self, u64, Taker) {
        let token = set.acquire_movable(how, weight, at);
        (HoldGuard { set, slot: Some(token.slot) }, token.ticket, token.taker)
    }

    /// As [`HoldGuard::exclusive`] for an owned exclusive guard, which can
    /// move to another task: also returns the hold's ticket.
    #[inline]
    pub fn exclusive_movable(set: &'r HolderSet, how: HoldAs, at: Site) -> (Self, u64, Taker) {
        let (ticket, taker) = set.hold_exclusive_movable(how, at);
        (HoldGuard { set, slot: Some(Slot::fast(0).moving()) }, ticket, taker)
    }

    /// The node whose hold this is (the lock, the semaphore).
    #[inline]
    pub fn owner(&self) -> NodeId {
        self.set.owner()
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
        let token = self.set.acquire(how, confirmed, at);
        self.slot = Some(token.slot);
        crate::lockorder::reheld(self.set, how, at, token.taker);
    }

    /// As [`HoldGuard::reacquire`], as a hold that can move (an owned
    /// guard downgraded): returns the new hold's ticket.
    #[inline]
    pub fn reacquire_movable(&mut self, how: HoldAs, at: Site) -> u64 {
        self.release();
        let token = self.set.acquire_movable(how, 1, at);
        self.slot = Some(token.slot);
        crate::lockorder::reheld(self.set, how, at, token.taker);
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// A move to `to` as `via` says at `since`, not of a received handle.
    fn mv(to: NodeId, via: Evidence, since: u64) -> crate::ownership::Move {
        crate::ownership::Move { to, via, since, from: 0 }
    }

    /// The interleaving a move must survive that the loom models cannot
    /// check (see `loom_tests`), step by step: the move claims an owned
    /// guard's slot; its owner drops the guard (a plain store of 0) and
    /// the lock's next guard takes the slot (plain stores); then the move
    /// goes on. It fails, and the next guard's hold stays whole
    /// (regression: the move's meta store came last and gave the next
    /// guard's hold the moved one's kind, weight and evidence).
    #[test]
    fn a_hold_released_and_taken_anew_during_its_move_stays_the_new_one() {
        let set = HolderSet::new(1);
        let owned = meta(HoldAs::Guard, Evidence::Made, 100, 1);
        set.fill_exclusive(8, owned, Some(77), None, 81);
        let f = &set.fast[0];
        let m = f.claim_move(8, 77).expect("the claim catches the guard's hold");
        assert_eq!(m, owned);
        set.release_exclusive();
        let next = meta(HoldAs::Guard, Evidence::Acquired, 200, 1);
        set.fill_exclusive(12, next, None, None, 0);
        assert!(!f.finish_move(8, m, mv(50, Evidence::InMessage, 300)), "the moved hold is gone");
        let h = f.read().expect("the next guard's hold");
        assert_eq!((h.holder, h.meta, h.by), (12, next, 0));
    }

    /// A move whose claim catches a later hold of the same holder (the
    /// moved one was released and the holder took the slot again) leaves
    /// that hold as it was.
    #[test]
    fn a_move_that_catches_a_later_hold_of_the_same_holder_leaves_it() {
        let set = HolderSet::new(1);
        set.fill_exclusive(8, meta(HoldAs::Guard, Evidence::Made, 100, 1), Some(77), None, 0);
        set.release_exclusive();
        let later = meta(HoldAs::Guard, Evidence::Made, 200, 1);
        set.fill_exclusive(8, later, Some(78), None, 0);
        assert!(!set.moved(77, mv(50, Evidence::InMessage, 300)));
        assert_eq!(set.fast[0].claim_move(8, 77), None);
        let h = set.fast[0].read().expect("the later hold");
        assert_eq!((h.holder, h.meta, h.ticket), (8, later, 78));
        assert!(set.moved(78, mv(50, Evidence::InMessage, 300)));
        assert_eq!(set.fast[0].read().map(|h| h.holder), Some(50));
    }

    /// A move to the hold's own holder (a plain task's handle moved into a
    /// future it polls itself) keeps the hold's evidence and age.
    #[test]
    fn a_move_to_its_own_holder_changes_nothing() {
        let set = HolderSet::new(1);
        let used = meta(HoldAs::Sender, Evidence::Used, 100, 1);
        set.fill_exclusive(8, used, Some(77), None, 0);
        assert!(set.moved(77, mv(8, Evidence::Spawned, 300)));
        let h = set.fast[0].read().expect("the hold");
        assert_eq!((h.holder, h.meta, h.ticket), (8, used, 77));
    }
}

/// Loom models (`scripts/loom.sh`) of the lock-free holder slots.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::model::{NOW, edges, site};
    use loom::thread;
    use peeps_graph::Edge;

    /// The resource held.
    const OWNER: NodeId = 99;

    /// One hold a model takes, and what a snapshot must say of it.
    #[derive(Debug, Clone, Copy)]
    struct Hold {
        holder: NodeId,
        how: HoldAs,
        evidence: Evidence,
        since: u64,
        ticket: u64,
        at: &'static Location<'static>,
        by: NodeId,
    }

    impl Hold {
        /// Takes it as a shared hold (a read guard, a permit, an endpoint).
        fn take(&self, set: &HolderSet) -> Slot {
            let Hold { holder, how, evidence, since, ticket, at, by } = *self;
            set.take_slot(HolderRecord { holder, how, evidence, since, weight: 1, ticket, at: Some(at), by })
        }

        /// Takes it as an exclusive hold (a guard of a lock).
        fn hold_exclusive(&self, set: &HolderSet) {
            let m = meta(self.how, self.evidence, self.since, 1);
            set.fill_exclusive(self.holder, m, (self.ticket != 0).then_some(self.ticket), Some(self.at), self.by);
        }

        /// The hold once moved to `to` at `now`, as `via` says.
        /// Moved to `to` as `via` says (not received: no channel it came from).
        fn moved(&self, to: NodeId, via: Evidence, now: u64) -> Hold {
            Hold { holder: to, evidence: via, since: now, by: 0, ..*self }
        }

        /// Whether `e` says this hold, whole: the fields of one hold, never
        /// a slot read half-filled or mixed with another hold's.
        fn said_by(&self, e: &Edge) -> bool {
            let mut attrs = Attrs::new();
            attrs.insert(attr::AS.into(), self.how.as_str().into());
            if !self.evidence.confirmed() {
                attrs.insert(attr::CONFIRMED.into(), false.into());
            }
            if self.evidence != Evidence::Acquired {
                attrs.insert(attr::EVIDENCE.into(), self.evidence.as_str().into());
            }
            attrs.insert(attr::AT.into(), site(self.at));
            if self.by != 0 && matches!(self.evidence, Evidence::Acquired | Evidence::Made) {
                attrs.insert(attr::BY.into(), self.by.into());
            }
            if self.by != 0 && self.evidence == Evidence::Received {
                attrs.insert(attr::FROM.into(), self.by.into());
            }
            e.from == OWNER
                && e.to == self.holder
                && e.kind == EdgeKind::HeldBy
                && e.since_ms == Some(NOW - self.since)
                && e.attrs == attrs
        }
    }

    /// A snapshot of `set`: every edge says one of `holds` whole. Returns
    /// the holders it shows.
    #[track_caller]
    fn snapshot(set: &HolderSet, holds: &[Hold]) -> Vec<NodeId> {
        let edges = edges(|out| {
            set.describe(out);
        });
        for e in &edges {
            assert!(holds.iter().any(|h| h.said_by(e)), "not one hold, whole: {e:?} (holds: {holds:?})");
        }
        edges.iter().map(|e| e.to).collect()
    }

    /// Leaves an earlier hold's fields in the first slot, as a resource
    /// used before has them.
    fn used_before(set: &HolderSet) {
        let old = Hold {
            holder: 2,
            how: HoldAs::Permit,
            evidence: Evidence::Made,
            since: 10,
            ticket: 5,
            at: Location::caller(),
            by: 21,
        };
        let slot = old.take(set);
        set.release_slot(slot);
    }

    // Each party of a model has its own thread, so that the main thread's
    // joins cost no preemption of the bound.

    /// Two shared holds are taken, one also released, while a snapshot
    /// reads the set, whose first slot still has an earlier hold's fields:
    /// it shows each hold whole or not at all, never a slot being filled,
    /// a hold that is gone, or fields of two holds in one edge; once they
    /// are done, the set shows exactly the hold left.
    #[test]
    fn a_snapshot_shows_each_hold_whole_or_not_at_all() {
        loom::model(|| {
            let set = loom::sync::Arc::new(HolderSet::new(OWNER));
            used_before(&set);
            let a = Hold {
                holder: 8,
                how: HoldAs::ReadGuard,
                evidence: Evidence::Acquired,
                since: 100,
                ticket: 0,
                at: Location::caller(),
                by: 81,
            };
            let b = Hold {
                holder: 12,
                how: HoldAs::ReadGuard,
                evidence: Evidence::Made,
                since: 200,
                ticket: 77,
                at: Location::caller(),
                by: 0,
            };
            let sa = set.clone();
            let ta = thread::spawn(move || {
                let slot = a.take(&sa);
                sa.release_slot(slot);
            });
            let sb = set.clone();
            let tb = thread::spawn(move || b.take(&sb));
            let ss = set.clone();
            let ts = thread::spawn(move || {
                snapshot(&ss, &[a, b]);
            });
            ts.join().unwrap();
            ta.join().unwrap();
            let slot = tb.join().unwrap();
            assert_eq!(snapshot(&set, &[b]), [b.holder]);
            set.release_slot(slot);
            assert!(snapshot(&set, &[]).is_empty());
        });
    }

    /// A lock passes from one guard to the next (each guard's hold is
    /// released before the lock is: see `hold_exclusive`) while a snapshot
    /// reads its holders: it shows one guard's hold whole, or none.
    #[test]
    fn a_snapshot_of_a_lock_changing_hands_shows_one_guard_whole() {
        loom::model(|| {
            let lock = loom::sync::Arc::new((HolderSet::new(OWNER), loom::sync::Mutex::new(())));
            used_before(&lock.0);
            let a = Hold {
                holder: 8,
                how: HoldAs::Guard,
                evidence: Evidence::Acquired,
                since: 100,
                ticket: 0,
                at: Location::caller(),
                by: 81,
            };
            // An owned guard: a hold that can move, with a ticket.
            let b = Hold {
                holder: 12,
                how: HoldAs::Guard,
                evidence: Evidence::Made,
                since: 200,
                ticket: 77,
                at: Location::caller(),
                by: 0,
            };
            let guards: Vec<_> = [a, b]
                .into_iter()
                .map(|h| {
                    let lock = lock.clone();
                    thread::spawn(move || {
                        let _locked = lock.1.lock().unwrap();
                        h.hold_exclusive(&lock.0);
                        lock.0.release_exclusive();
                    })
                })
                .collect();
            let ls = lock.clone();
            let ts = thread::spawn(move || assert!(snapshot(&ls.0, &[a, b]).len() <= 1));
            ts.join().unwrap();
            for g in guards {
                g.join().unwrap();
            }
            assert!(snapshot(&lock.0, &[]).is_empty());
        });
    }

    /// peeps sees an owned guard move to a channel (`moved`: a claim of
    /// its slot, its meta rewritten, its new holder given) while a
    /// snapshot reads the set: it shows the guard's hold whole before the
    /// move or whole after it, never a mix of the two; afterwards the hold
    /// is the channel's, whole.
    ///
    /// A move racing the release of its hold is not modelled here: its
    /// release is a plain store, and loom 0.7 lets a compare-and-swap read
    /// a value that another thread's plain store, made before it, has
    /// already replaced (tokio-rs/loom#254, #389), which no machine does.
    /// `tests::a_hold_released_and_taken_anew_during_its_move_stays_the_new_one`
    /// runs that interleaving step by step instead.
    #[test]
    fn a_snapshot_shows_a_moving_hold_whole_before_or_after_the_move() {
        loom::model(|| {
            let set = loom::sync::Arc::new(HolderSet::new(OWNER));
            let owned = Hold {
                holder: 8,
                how: HoldAs::Guard,
                evidence: Evidence::Made,
                since: 100,
                ticket: 77,
                at: Location::caller(),
                by: 81,
            };
            owned.hold_exclusive(&set);
            let sent = owned.moved(50, Evidence::InMessage, 300);
            let sm = set.clone();
            let tm = thread::spawn(move || sm.moved(owned.ticket, crate::ownership::Move { to: sent.holder, via: sent.evidence, since: sent.since, from: sent.by }));
            let ss = set.clone();
            let ts = thread::spawn(move || assert!(snapshot(&ss, &[owned, sent]).len() <= 1));
            ts.join().unwrap();
            assert!(tm.join().unwrap(), "the move found its hold");
            assert_eq!(snapshot(&set, &[sent]), [sent.holder]);
        });
    }
}
