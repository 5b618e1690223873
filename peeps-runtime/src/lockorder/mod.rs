//! Lock order learned at run time: potential deadlocks before they hang
//! ("lockdep for async").
//!
//! A deadlock detector sees a cycle of waits once it has happened. This
//! module learns, from every acquisition of an instrumented lock, the order
//! in which the program takes its locks, so that an inversion is reported
//! the first time both orders have been *seen*, whenever they ran.
//!
//! # What is recorded
//!
//! Each *context* — a peeps task while it runs, else the thread (a
//! `block_on` root, a plain thread, `spawn_blocking`), or on that thread a
//! plain `tokio::spawn` task — keeps the list of the instrumented locks it
//! holds ([`held`]: at most [`HELD_MAX`], in a thread-local; a peeps task's
//! list moves into its own entry while it holds locks across an `.await`,
//! and back at its next poll, so it follows the task across threads). When
//! the context takes a lock with [`acquired`] (a call that could have
//! waited: `lock`, `read`, `write`, `acquire`, the blocking locks), every
//! lock it holds gives an **order edge** held → taken, recorded once in a
//! shared, capped graph (`graph`), with one example: the task, both call
//! sites, the time. [`held`](fn@held) records a lock taken without waiting
//! (`try_lock`, a downgrade, a split permit): it is held from then on, but
//! orders nothing before it, since it could not have blocked.
//!
//! Edges are between lock **classes**: a lock's class is its name when it
//! was given one (`.named("acct-1")`), else its construction site
//! (`src/db.rs:42`), and its kind. Two locks of one class (per-account
//! locks made at one site) taken one inside the other would be an edge of
//! the class with itself, a cycle whatever their order: Linux's lockdep
//! asks the code to annotate such nesting. peeps records those edges between
//! the two *locks* instead (their node ids), so locks of one class taken in
//! a consistent order (by index) make no cycle, and two tasks taking the
//! same two accounts in opposite orders do.
//!
//! What is not an edge:
//!
//! - a lock taken without waiting ([`held`](fn@held)): `try_lock` cannot
//!   block;
//! - a lock taken by a *concurrent* future of the same task: when the held
//!   lock was taken inside an instrumented future (`#[peeps::instrument]`,
//!   `peeps!`) that is neither the one taking the next lock nor polling
//!   around it (a sibling in a `join!`, a `FuturesUnordered`, a
//!   `select!`), the task can release it without the next lock, so it
//!   orders nothing. Branches that are plain async blocks cannot be told
//!   apart and count as one context;
//! - a lock released before the next is taken, wherever it was released.
//!
//! A read taken while the same context holds a read of the same rwlock is
//! recorded as an edge of that lock with itself: tokio's RwLock (and
//! parking_lot's, except `read_recursive`) is write-preferring, so a writer
//! queued between the two reads deadlocks both. A second permit of a
//! semaphore taken while holding one is recorded the same way. Whether a
//! cycle of reads is a deadlock is decided by the analysis
//! (`peeps_graph::analysis`), which knows which classes were ever written.
//!
//! # Bounds
//!
//! At most [`MAX_CLASSES`] classes and [`MAX_EDGES`] edges are kept, and
//! [`HELD_MAX`] held locks per context; what does not fit is counted
//! (`lock_order.dropped` in a snapshot) and never blocks the program. An
//! edge already known costs a probe of a per-thread cache; the shared
//! graph's shards are locked only for an edge the thread has not seen.
//! `PEEPS_LOCK_ORDER=off` turns the learning off.
//!
//! # Global state
//!
//! The class table, the sharded edge table and their counters; a ring of
//! the last releases made away from the context that took the lock (a
//! guard moved to another task or thread unseen), which each context reads
//! to forget what it no longer holds; per thread, the held list, an edge
//! cache and a class cache.

use crate::hold::HolderSet;
use crate::resource::Resource;
use crate::wait::Site;
use peeps_graph::NodeId;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

mod class;
mod graph;
mod held;

pub use peeps_graph::LockMode as Mode;
pub(crate) use graph::describe;
pub(crate) use held::{Saved, enter_task};

/// How many classes of locks are kept.
pub const MAX_CLASSES: u32 = 4096;
/// How many order edges are kept.
pub const MAX_EDGES: usize = 8192;
/// How many held locks a context follows at once.
pub const HELD_MAX: usize = 8;

/// Records a lock of `res` taken in `mode` by the call at `at`, a call
/// that could have waited: the order from every lock the current task
/// holds to it is learned, and it is held until its hold is released.
#[inline]
pub fn acquired(res: &Resource, mode: Mode, at: Site) {
    take(res, mode, at, true);
}

/// Records a lock of `res` held in `mode` from the call at `at` on,
/// taken without waiting (`try_lock`, a downgrade, a permit split off):
/// it orders the locks taken after it, but nothing before it.
#[inline]
pub fn held(res: &Resource, mode: Mode, at: Site) {
    take(res, mode, at, false);
}

#[inline]
fn take(res: &Resource, mode: Mode, at: Site, waited: bool) {
    let set = res.holders();
    let mut cell = set.order.load();
    if cell & CLASS_MASK == UNTRACKED {
        return;
    }
    if cell == 0 {
        cell = class::resolve(res);
        if cell == UNTRACKED {
            return;
        }
    }
    if mode == Mode::Write && cell & WRITTEN == 0 {
        graph::written(cell & CLASS_MASK);
        set.order.mark_written();
    }
    held::take(set.owner(), cell & CLASS_MASK, mode, at, waited);
}

/// A hold of a lock of `set` taken again as `how` at `at`, without
/// waiting (a guard downgraded or upgraded, unlocked for a while and taken
/// again): held from then on, ordered after nothing. A lock whose class is
/// not known yet (renamed since it was taken) is not followed.
#[inline]
pub(crate) fn reheld(set: &HolderSet, how: crate::hold::HoldAs, at: Site) {
    let cell = set.order.load();
    if cell != 0 && cell & CLASS_MASK != UNTRACKED {
        let mode = match how {
            crate::hold::HoldAs::ReadGuard => Mode::Read,
            crate::hold::HoldAs::Permit => Mode::Permit,
            _ => Mode::Write,
        };
        held::take(set.owner(), cell & CLASS_MASK, mode, at, false);
    }
}

/// The hold of a lock of `set` is released, by whichever context releases
/// it: it is no longer held by the context that took it. Called for every
/// hold (a lock's class cell tells a lock from a channel endpoint).
#[inline]
pub(crate) fn released(set: &HolderSet) {
    let cell = set.order.load();
    if cell != 0 && cell & CLASS_MASK != UNTRACKED {
        held::release(set.owner());
    }
}

/// A hold of a lock of `set` moved to `to` (an owned guard sent or given
/// at spawn): if the current context held it, it holds it no more.
pub(crate) fn moved(set: &HolderSet, to: NodeId) {
    let cell = set.order.load();
    if cell != 0 && cell & CLASS_MASK != UNTRACKED {
        held::moved_away(set.owner(), to);
    }
}

/// The class cell value of a lock peeps does not follow (learning off, or
/// the class table full).
const UNTRACKED: u32 = 0x7FFF_FFFF;
/// The class id's bits of a class cell.
const CLASS_MASK: u32 = 0x7FFF_FFFF;
/// A class cell's bit saying the lock was taken for writing (its class is
/// marked written).
const WRITTEN: u32 = 0x8000_0000;

/// A lock's class, as its holder set keeps it: 0 until its first
/// acquisition, then its class id (or [`UNTRACKED`]), and the
/// [`WRITTEN`] bit. Renaming the lock resets it.
#[derive(Debug, Default)]
pub(crate) struct ClassCell(AtomicU32);

impl ClassCell {
    /// An unresolved cell.
    pub(crate) const fn new() -> ClassCell {
        ClassCell(AtomicU32::new(0))
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
