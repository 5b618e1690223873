//! The hooks, with feature `diagnostics` (see the module above).

use crate::hold::{HolderSet, Taker};
use crate::resource::Resource;
use crate::wait::Site;
use peeps_graph::NodeId;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

pub(crate) use super::graph::describe;
use super::{Mode, class, graph, stack};

/// Records a lock of `res` taken in `mode` by the call at `at`, a call
/// that could have waited: the order from every lock the current task
/// holds to it is learned, and it is held until its hold is released.
/// Called right after the lock's hold is taken, on the same thread, with
/// who took it (`taker`, as the hold found it) and `place`: an address
/// inside the future that took it, pinned while it waited (0 for a
/// blocking call). A lock held that the same call took from another
/// place orders nothing before this one: the same code running beside
/// itself (the branches of one `join_all`, `buffer_unordered`, `join!`),
/// each branch letting its own lock go whatever the other waits for.
#[inline]
pub fn acquired(res: &Resource, mode: Mode, at: Site, taker: Taker, place: usize) {
    take(res, mode, at, true, false, false, taker, place);
}

/// As [`acquired`], for a permit that took all the permits its semaphore
/// has (a semaphore of one used as a lock): held exclusively, so, like a
/// mutex guard, a gate of the order edges taken under it.
#[inline]
pub fn acquired_sole_permit(res: &Resource, at: Site, taker: Taker, place: usize) {
    take(res, Mode::Permit, at, true, false, true, taker, place);
}

/// As [`acquired`], for an owned guard or permit (`lock_owned`,
/// `acquire_owned`; `sole`: a permit that took all its semaphore's
/// permits), which can move to another task unseen (into a plain
/// `tokio::spawn`, as tokio's connection-limit pattern does): it is
/// ordered after what the task holds, but orders nothing taken after it,
/// since the task may not hold it any more by then. While the task holds
/// it, it is a gate of the edges the task takes under it.
#[inline]
pub fn acquired_movable(
    res: &Resource,
    mode: Mode,
    sole: bool,
    at: Site,
    taker: Taker,
    place: usize,
) {
    take(res, mode, at, true, true, sole, taker, place);
}

/// Records a lock of `res` held in `mode` from the call at `at` on,
/// taken without waiting (`try_lock`, a downgrade, a permit split off):
/// it orders the locks taken after it, but nothing before it.
#[inline]
pub fn held(res: &Resource, mode: Mode, at: Site, taker: Taker) {
    take(res, mode, at, false, false, false, taker, 0);
}

/// As [`held`], for a permit that took all its semaphore's permits (see
/// [`acquired_sole_permit`]).
#[inline]
pub fn held_sole_permit(res: &Resource, at: Site, taker: Taker) {
    take(res, Mode::Permit, at, false, false, true, taker, 0);
}

/// As [`held`], for an owned guard or permit (see [`acquired_movable`]):
/// it orders nothing, before or after it, but gates what its task takes
/// under it while the task holds it.
#[inline]
pub fn held_movable(res: &Resource, mode: Mode, sole: bool, at: Site, taker: Taker) {
    take(res, mode, at, false, true, sole, taker, 0);
}

/// The fast path: a lock whose class is known (and, taken for writing,
/// already marked written) goes straight to the thread's list; anything
/// else to [`take_first`].
#[inline(always)]
#[allow(clippy::too_many_arguments)] // one acquisition's facts, inlined
fn take(
    res: &Resource,
    mode: Mode,
    at: Site,
    waited: bool,
    movable: bool,
    sole: bool,
    taker: Taker,
    place: usize,
) {
    let set = res.holders();
    let cell = set.order.load();
    // One test: followed, and marked written when taken for writing.
    let ready = if mode == Mode::Write {
        FOLLOWED | WRITTEN
    } else {
        FOLLOWED
    };
    if cell & ready == ready {
        stack::take(
            set.owner(),
            cell & CLASS_MASK,
            mode,
            at,
            waited,
            movable,
            sole,
            taker,
            place,
        );
    } else {
        take_first(res, mode, at, waited, movable, sole, taker, place);
    }
}

/// A lock's first acquisition (its class resolved now), its first for
/// writing (its class marked written), or a lock peeps does not follow.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)] // one acquisition's facts
fn take_first(
    res: &Resource,
    mode: Mode,
    at: Site,
    waited: bool,
    movable: bool,
    sole: bool,
    taker: Taker,
    place: usize,
) {
    let set = res.holders();
    let mut cell = set.order.load();
    if cell & CLASS_MASK == UNTRACKED {
        return;
    }
    let mut waited = waited;
    if cell & FOLLOWED == 0 {
        cell = class::resolve(res);
        if cell == UNTRACKED {
            return;
        }
        // A lock its maker takes for the first time, having made it under
        // the locks it holds, cannot be held by anyone yet: the code that
        // makes a fresh lock and takes it under another (a placeholder
        // slot locked under its map's write lock) never waits there. It
        // orders what is taken after it, nothing before it. (A semaphore
        // may start with no permits: its first acquire can wait.)
        if waited && mode != Mode::Permit && set.order.made_under_locks_by(crate::hold::actor_key())
        {
            waited = false;
        }
    }
    if mode == Mode::Write && cell & WRITTEN == 0 {
        graph::written(cell & CLASS_MASK);
        set.order.mark_written();
    }
    stack::take(
        set.owner(),
        cell & CLASS_MASK,
        mode,
        at,
        waited,
        movable,
        sole,
        taker,
        place,
    );
}

/// Lock `res` is made now (by `new`, not on a `static`'s first use): if the
/// current context holds locks, its own first acquisition of `res` orders
/// nothing before it (see [`take_first`]). Cold: a lock's construction.
#[inline(never)]
pub fn made(res: &Resource) {
    if graph::enabled() && stack::holds_any() {
        res.holders().order.note_maker(crate::hold::actor_key());
    }
}

/// An acquisition of a lock of `res` in `mode` by the call at `at`, a
/// call that could have waited, was given up while it waited (its future
/// dropped by the context that polled it: a timeout, a `select!` branch
/// that lost). The order edges it would have made are marked as waits
/// that can be given up: no cycle through them is reported while they are
/// made at that one site (docs/lock-order.md, "Waits given up").
#[cold]
#[inline(never)]
pub fn given_up(res: &Resource, mode: Mode, at: Site) {
    let set = res.holders();
    if let Some(class) = tracked(set.order.load()) {
        stack::given_up(set.owner(), class, mode, at);
    }
}

/// A hold of a lock of `set` taken again as `how` at `at`, without
/// waiting (a guard downgraded or upgraded, unlocked for a while and taken
/// again): held from then on, ordered after nothing. A lock whose class is
/// not known yet (renamed since it was taken) is not followed.
#[inline]
pub(crate) fn reheld(set: &HolderSet, how: crate::hold::HoldAs, at: Site, taker: Taker) {
    if let Some(class) = tracked(set.order.load()) {
        let mode = match how {
            crate::hold::HoldAs::ReadGuard => Mode::Read,
            crate::hold::HoldAs::Permit => Mode::Permit,
            _ => Mode::Write,
        };
        stack::take(set.owner(), class, mode, at, false, false, false, taker, 0);
    }
}

/// The hold of a lock of `set` by `holder` (asked for only for a lock) is
/// released, by whichever context releases it: it is no longer held by the
/// context that took it. Called for every hold (a lock's class cell tells
/// a lock from a channel endpoint).
#[inline(always)]
pub(crate) fn released(set: &HolderSet, holder: impl FnOnce() -> NodeId) {
    if tracked(set.order.load()).is_some() {
        stack::release(set.owner(), holder());
    }
}

/// Calls `f` with each lock the current context (task, plain task or
/// thread) holds exclusively, outermost first. Cold.
pub(crate) fn held_exclusive(f: impl FnMut(NodeId)) {
    stack::held_exclusive(f);
}

/// A hold of a lock of `set` moved to `to` (an owned guard sent or given
/// at spawn): if the current context held it, it holds it no more. If the
/// current context is `to` (a spawned task's first poll found the guard in
/// its state) and does not list it yet, or a peeps task being spawned now
/// whose saved list is `seed`, it holds it from then on, held as
/// `how` says (with the holder it moved from, who holds it no more): a
/// gate of the edges it takes under it, ordering nothing itself (it may
/// move on unseen).
pub(crate) fn moved(
    set: &HolderSet,
    to: NodeId,
    seed: Option<&stack::Saved>,
    how: impl FnOnce() -> Option<(crate::hold::HoldAs, NodeId)>,
) {
    let Some(class) = tracked(set.order.load()) else {
        return;
    };
    let here = stack::moved_away(set.owner(), to);
    if !here && seed.is_none() {
        return;
    }
    let (mode, from) = match how() {
        Some((crate::hold::HoldAs::Guard, from)) => (Mode::Write, from),
        Some((crate::hold::HoldAs::ReadGuard, from)) => (Mode::Read, from),
        Some((crate::hold::HoldAs::Permit, from)) => (Mode::Permit, from),
        _ => return,
    };
    match seed {
        _ if here => stack::moved_in(set.owner(), class, mode, from),
        Some(saved) => saved.seed(set.owner(), class, mode),
        None => {}
    }
}

/// The class of a lock whose class cell is `cell`, if peeps follows it
/// (its [`FOLLOWED`] bit). (A cell reset by a rename while another thread
/// marked it written is [`WRITTEN`] alone: not followed.)
#[inline(always)]
fn tracked(cell: u32) -> Option<u32> {
    (cell & FOLLOWED != 0).then_some(cell & CLASS_MASK)
}

/// The class cell value of a lock peeps does not follow (learning off, or
/// the class table full).
pub(super) const UNTRACKED: u32 = 0x3FFF_FFFF;
/// The class id's bits of a class cell.
pub(super) const CLASS_MASK: u32 = 0x3FFF_FFFF;
/// A class cell's bit saying its class is resolved and followed (not
/// [`UNTRACKED`]): what an acquisition tests, with [`WRITTEN`] for a write.
pub(super) const FOLLOWED: u32 = 0x4000_0000;
/// A class cell's bit saying the lock was taken for writing (its class is
/// marked written).
pub(super) const WRITTEN: u32 = 0x8000_0000;

/// A lock's class, as its holder set keeps it: 0 until its first
/// acquisition, then its class id and [`FOLLOWED`] (or [`UNTRACKED`]),
/// and the [`WRITTEN`] bit. Renaming the lock resets it.
///
/// Beside it, until the lock's first acquisition, the context that made
/// it while holding other locks (0: none; see [`made`]).
#[derive(Debug, Default)]
pub(crate) struct ClassCell(pub(super) AtomicU32, AtomicU64);

impl ClassCell {
    /// An unresolved cell.
    pub(crate) const fn new() -> ClassCell {
        ClassCell(AtomicU32::new(0), AtomicU64::new(0))
    }

    /// Notes that `context` made the lock while it held other locks.
    fn note_maker(&self, context: u64) {
        self.1.store(context, Relaxed);
    }

    /// Whether `context` made the lock while it held other locks, asked
    /// once: at the lock's first acquisition.
    fn made_under_locks_by(&self, context: u64) -> bool {
        let maker = self.1.swap(0, Relaxed);
        maker != 0 && maker == context
    }

    #[inline]
    fn load(&self) -> u32 {
        self.0.load(Relaxed)
    }

    fn mark_written(&self) {
        self.0.fetch_or(WRITTEN, Relaxed);
    }

    /// Forgets the class (the lock was renamed: its class is its new name).
    pub(crate) fn reset(&self) {
        self.0.store(0, Relaxed);
    }
}

/// What the process has learned so far, as a snapshot's `lock_order`
/// section: `None` before any instrumented lock was taken.
pub fn learned() -> Option<peeps_graph::LockOrder> {
    describe(crate::clock::now_ms())
}
