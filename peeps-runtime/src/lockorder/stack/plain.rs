//! The locks each plain tokio task holds, kept by task, not by thread.
//!
//! A plain `tokio::spawn` task has no poll peeps sees, and tokio resumes
//! it on whichever worker is free after any `.await` (a timer, a socket),
//! so a thread's list cannot follow it: a lock it held across the `.await`
//! would stay on the first thread, the locks it takes on the next one would
//! not be ordered after it, and a gate held across the `.await` would be
//! lost (a false potential deadlock). Its held locks are kept instead in a
//! global table, one slot per task holding something (keyed by the task's
//! node id, its [`Held::tag`]), each slot behind a lock of its own: taken
//! by the task's acquisitions, and by the release of each of its holds,
//! which names its holder, wherever the release is made (a guard moved
//! where peeps cannot see is released exactly, with no orphan release).
//!
//! A task keeps its slot once it held something, so that its next lock
//! finds it at once, until another task needs a slot and none near its
//! home is free: then a slot whose task holds nothing changes hands. When
//! no slot near its home can be had (more than [`PROBE`] tasks holding
//! locks hash there), a task's locks go to the thread's list as before
//! (see the module above).

use super::HELD_MAX;
use super::{Held, LOCAL, List, ORPHANS, RING, order, push};
use crate::context;
use peeps_graph::NodeId;
use std::cell::UnsafeCell;
use std::sync::atomic::{
    AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};

/// log2 of the table's slots.
const BITS: u32 = 10;
/// How many slots: tasks holding locks at once, about.
const SLOTS: usize = 1 << BITS;
/// How many slots from its home a task's slot may be.
const PROBE: usize = 16;
/// The bit of an owner word saying its slot is locked.
const LOCKED: u64 = 1;

/// One task's held locks.
#[derive(Debug)]
struct TaskList {
    entries: [Held; HELD_MAX],
    len: usize,
    /// Acquisitions not kept because the list was full, whose release is
    /// then absorbed (this task's only).
    overflow: u32,
    /// The orphan releases applied to `entries`: those numbered below.
    seen: u64,
}

/// A slot's list, touched only by whoever holds its owner word's lock.
struct SlotList(UnsafeCell<TaskList>);

// SAFETY: see the type: its owner word's lock orders every access.
unsafe impl Sync for SlotList {}

/// Per slot, the task whose list it is (`tag << 1`, 0 for none) and the
/// slot's lock ([`LOCKED`]): one word, so that finding a task's slot and
/// locking it is one compare-and-swap. The words are dense: a probe reads
/// two cache lines.
static OWNERS: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];
static LISTS: [SlotList; SLOTS] = [const {
    SlotList(UnsafeCell::new(TaskList {
        entries: [Held::EMPTY; HELD_MAX],
        len: 0,
        overflow: 0,
        seen: 0,
    }))
}; SLOTS];

/// The first slot task `tag` may have.
#[inline]
fn home(tag: u64) -> usize {
    (tag.wrapping_mul(crate::id::GOLDEN) >> (64 - BITS)) as usize
}

/// A locked slot: its list; unlocked, with its owner, when dropped.
struct Locked {
    i: usize,
    owner: u64,
}

impl Locked {
    fn list(&mut self) -> &mut TaskList {
        // SAFETY: this slot's lock is held (see `SlotList`).
        unsafe { &mut *LISTS[self.i].0.get() }
    }
}

impl Drop for Locked {
    #[inline]
    fn drop(&mut self) {
        OWNERS[self.i].store(self.owner << 1, Release);
    }
}

/// Locks slot `i` if it is `owner`'s (0: free), spinning while someone
/// else holds its lock; `None` when it is not `owner`'s.
#[inline]
fn try_lock(i: usize, owner: u64) -> Option<Locked> {
    let word = owner << 1;
    loop {
        match OWNERS[i].compare_exchange_weak(word, word | LOCKED, Acquire, Relaxed) {
            Ok(_) => return Some(Locked { i, owner }),
            Err(now) if now == word | LOCKED => std::hint::spin_loop(),
            Err(now) if now == word => {}
            Err(_) => return None,
        }
    }
}

/// Task `tag`'s list, locked; with `claim`, a slot made its own when it
/// has none: a free one, else one whose task holds nothing. `None` when it
/// has none (or no slot near its home can be had).
#[inline]
fn lock_list(tag: u64, claim: bool) -> Option<Locked> {
    let h = home(tag);
    // Usually the task's slot is its home: one compare-and-swap.
    if let Some(l) = try_lock(h, tag) {
        return Some(l);
    }
    lock_list_probe(tag, h, claim)
}

/// [`lock_list`] past the task's home slot.
#[cold]
#[inline(never)]
fn lock_list_probe(tag: u64, h: usize, claim: bool) -> Option<Locked> {
    let at = |i: usize| (h + i) & (SLOTS - 1);
    for _ in 0..4 {
        let mut mine = None;
        let mut free = None;
        for i in 0..PROBE {
            let word = OWNERS[at(i)].load(Relaxed);
            if word >> 1 == tag {
                mine = Some(at(i));
                break;
            }
            if word == 0 && free.is_none() {
                free = Some(at(i));
            }
        }
        if let Some(i) = mine {
            match try_lock(i, tag) {
                Some(l) => return Some(l),
                // Taken by another task meanwhile (it held nothing): again.
                None => continue,
            }
        }
        if !claim {
            return None;
        }
        let fresh = |mut l: Locked| {
            l.owner = tag;
            let list = l.list();
            list.len = 0;
            list.overflow = 0;
            list.seen = ORPHANS.load(Relaxed);
            l
        };
        if let Some(i) = free
            && let Some(l) = try_lock(i, 0)
        {
            return Some(fresh(l));
        }
        // No free slot: one whose task holds nothing.
        for i in 0..PROBE {
            let word = OWNERS[at(i)].load(Relaxed);
            if word & LOCKED != 0 || word == 0 {
                continue;
            }
            if let Some(mut l) = try_lock(at(i), word >> 1) {
                let list = l.list();
                if list.len == 0 && list.overflow == 0 {
                    return Some(fresh(l));
                }
            }
        }
    }
    None
}

/// Plain task `taken.tag` takes `taken`; `waited` as in [`super::take`].
/// Returns `false` when the table has no slot for it (the caller keeps it
/// in the thread's list instead).
#[cold]
#[inline(never)]
pub(super) fn take(taken: Held, waited: bool) -> bool {
    let Some(mut guard) = lock_list(taken.tag, true) else {
        return false;
    };
    let list = guard.list();
    let now = ORPHANS.load(Relaxed);
    if now != list.seen {
        // Only the orphan releases the ring still has: a plain task's own
        // releases name their holder and are never orphans, so those it
        // missed are almost surely other contexts' locks, and forgetting
        // all it holds (as a thread's list does) would lose its gates.
        let from = list.seen.max(now.saturating_sub(RING));
        List::forget_orphans(&mut list.entries, &mut list.len, &mut 0, from, now);
        list.seen = now;
    }
    // SAFETY: the cache is borrowed only by this module's functions, one at
    // a time (see `Local`).
    let learnt = LOCAL.try_with(|l| {
        let cache = unsafe { &*l.cache.get() };
        push(
            &mut list.entries,
            &mut list.len,
            0,
            &mut list.overflow,
            Some(cache),
            taken,
            waited,
        )
    });
    // During the thread's teardown: kept, nothing learned.
    let slow = learnt.unwrap_or_else(|_| {
        push(
            &mut list.entries,
            &mut list.len,
            0,
            &mut list.overflow,
            None,
            taken,
            waited,
        )
    });
    // The edges are learned without the slot's lock (they lock the graph's
    // shards, and look futures up in the registry).
    drop(guard);
    if let Some(before) = slow {
        order(&before, taken, context::current(), false, false);
    }
    true
}

/// The hold of `lock` by plain task `tag` is released (by whichever
/// context). Returns whether the task's list had it.
#[cold]
#[inline(never)]
pub(super) fn release(tag: u64, lock: NodeId) -> bool {
    remove(tag, lock, true)
}

/// Plain task `tag` no longer holds `lock` (released, or moved to another
/// holder peeps saw); `absorb`: a release, which takes one from the list's
/// overflow count when the lock is not in it. Returns whether it was.
pub(super) fn remove(tag: u64, lock: NodeId, absorb: bool) -> bool {
    let Some(mut guard) = lock_list(tag, false) else {
        return false;
    };
    let list = guard.list();
    match list.entries[..list.len]
        .iter()
        .rposition(|h| h.lock == lock)
    {
        Some(i) => {
            let shared = !list.entries[i].exclusive;
            list.entries.copy_within(i + 1..list.len, i);
            list.len -= 1;
            if shared {
                super::forget_places(&mut list.entries[..list.len], lock);
            }
        }
        None => {
            // Maybe one of the acquisitions its list had no room for; but
            // maybe one a thread's list has (taken when the task had no
            // slot): the caller goes on to look there.
            if absorb {
                list.overflow = list.overflow.saturating_sub(1);
            }
            return false;
        }
    }
    true
}

/// Calls `f` with each lock plain task `tag`'s list holds, outermost
/// first (its slot locked meanwhile: `f` must not take a lock).
pub(super) fn held(tag: u64, mut f: impl FnMut(&Held)) {
    if let Some(mut guard) = lock_list(tag, false) {
        let list = guard.list();
        list.entries[..list.len].iter().for_each(&mut f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(lock: NodeId, tag: u64) -> Held {
        Held {
            lock,
            tag,
            ..Held::EMPTY
        }
    }

    /// The locks task `tag`'s list holds.
    fn held_locks(tag: u64) -> Vec<NodeId> {
        let mut locks = Vec::new();
        super::held(tag, |h| locks.push(h.lock));
        locks
    }

    /// A task's list follows it: a release by the holder's id is exact
    /// whichever thread makes it.
    #[test]
    fn a_release_by_the_holder_finds_its_entry_from_any_thread() {
        let tag = crate::id::FOREIGN_BASE + 900_001;
        assert!(take(held(11, tag), false));
        assert!(take(held(12, tag), false));
        let other = std::thread::spawn(move || release(tag, 11)).join().unwrap();
        assert!(other, "released from another thread");
        assert_eq!(held_locks(tag), [12], "still holds lock 12");
        assert!(!release(tag, 11), "released once");
        assert!(release(tag, 12));
        assert_eq!(held_locks(tag), [0u64; 0], "holds nothing");
    }

    /// Two tasks holding reads of one lock: each release removes its own
    /// holder's entry.
    #[test]
    fn two_tasks_holding_one_lock_keep_their_own_entries() {
        let (a, b) = (
            crate::id::FOREIGN_BASE + 900_011,
            crate::id::FOREIGN_BASE + 900_012,
        );
        assert!(take(held(21, a), false));
        assert!(take(held(21, b), false));
        assert!(take(held(22, b), false));
        assert!(release(a, 21));
        assert_eq!(held_locks(a), [0u64; 0]);
        assert_eq!(held_locks(b), [21, 22]);
        assert!(release(b, 22) && release(b, 21));
    }

    /// More than `HELD_MAX` locks: a release of one not kept is not found
    /// (its caller looks in the thread's list, else makes it an orphan
    /// release: it may be one a thread's list has) and takes one from the
    /// task's overflow count only, so the list ends empty.
    #[test]
    fn a_full_list_counts_down_its_own_releases_only() {
        let (a, b) = (
            crate::id::FOREIGN_BASE + 900_021,
            crate::id::FOREIGN_BASE + 900_022,
        );
        for lock in 0..(HELD_MAX as u64 + 2) {
            assert!(take(held(100 + lock, a), false));
        }
        assert!(take(held(200, b), false));
        // `b`'s release is `b`'s, whatever `a`'s overflow.
        assert!(release(b, 200));
        for lock in 0..(HELD_MAX as u64 + 2) {
            let kept = lock < HELD_MAX as u64;
            assert_eq!(release(a, 100 + lock), kept, "lock {lock}");
        }
        assert_eq!(held_locks(a), [0u64; 0]);
        let mut overflow = None;
        if let Some(mut guard) = lock_list(a, false) {
            overflow = Some(guard.list().overflow);
        }
        assert_eq!(overflow, Some(0));
    }

    /// A slot whose task holds nothing is taken by another task that
    /// needs one when none near its home is free.
    #[test]
    fn an_idle_slot_is_taken_when_none_is_free() {
        // Three times as many tasks as a home's probe reaches, one home.
        let first = crate::id::FOREIGN_BASE + 910_000;
        let tags: Vec<u64> = (first..)
            .filter(|&t| home(t) == home(first))
            .take(PROBE * 3)
            .collect();
        for _ in 0..2 {
            for &t in &tags {
                assert!(take(held(300, t), false), "task {t} found a slot");
                assert_eq!(held_locks(t), [300]);
                assert!(release(t, 300));
            }
        }
    }
}
