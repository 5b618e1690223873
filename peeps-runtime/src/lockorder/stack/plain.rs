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
//! A task owns its slot while it holds something and gives it up when it
//! holds nothing. When its slots are all taken (more than [`PROBE`] tasks
//! holding locks hash near it), a task's locks go to the thread's list as
//! before (see the module above).

use super::{HELD_MAX, Held, LOCAL, List, ORPHANS, before, graph, known, order};
use crate::context;
use parking_lot::{Mutex, MutexGuard};
use peeps_graph::NodeId;
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

/// A slot of the table.
#[derive(Debug)]
struct Slot {
    /// The task whose list it is, 0 when free; changed only under `list`'s
    /// lock, read without it to find a task's slot.
    owner: AtomicU64,
    list: Mutex<TaskList>,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        owner: AtomicU64::new(0),
        list: Mutex::new(TaskList {
            entries: [Held::EMPTY; HELD_MAX],
            len: 0,
            overflow: 0,
            seen: 0,
        }),
    }
}; SLOTS];

/// The first slot task `tag` may have.
#[inline]
fn home(tag: u64) -> usize {
    (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize
}

/// Task `tag`'s list, locked; with `claim`, a free slot made its own when
/// it has none. `None` when it has none (or the table has no room near
/// its home).
fn lock_list(tag: u64, claim: bool) -> Option<(&'static Slot, MutexGuard<'static, TaskList>)> {
    // A free slot seen may be claimed by another task before it is locked:
    // look again, a few times.
    'again: for _ in 0..4 {
        let h = home(tag);
        let mut free = None;
        for i in 0..PROBE {
            let slot = &TABLE[(h + i) & (SLOTS - 1)];
            match slot.owner.load(Acquire) {
                o if o == tag => {
                    let list = slot.list.lock();
                    if slot.owner.load(Relaxed) == tag {
                        return Some((slot, list));
                    }
                    // Given up meanwhile (its last hold released elsewhere).
                    continue 'again;
                }
                0 if free.is_none() => free = Some(slot),
                _ => {}
            }
        }
        if !claim {
            return None;
        }
        let slot = free?;
        let mut list = slot.list.lock();
        if slot.owner.load(Relaxed) == 0 {
            slot.owner.store(tag, Release);
            list.len = 0;
            list.overflow = 0;
            list.seen = ORPHANS.load(Relaxed);
            return Some((slot, list));
        }
    }
    None
}

/// Gives the slot up when its task holds nothing any more.
#[inline]
fn settle(slot: &Slot, list: &TaskList) {
    if list.len == 0 && list.overflow == 0 {
        slot.owner.store(0, Release);
    }
}

/// Plain task `taken.tag` takes `taken`; `waited` as in [`super::take`].
/// Returns `false` when the table has no slot for it (the caller keeps it
/// in the thread's list instead).
#[cold]
#[inline(never)]
pub(super) fn take(taken: Held, waited: bool) -> bool {
    let Some((_slot, mut guard)) = lock_list(taken.tag, true) else {
        return false;
    };
    let list = &mut *guard;
    let now = ORPHANS.load(Relaxed);
    if now != list.seen {
        List::forget_orphans(&mut list.entries, &mut list.len, &mut 0, list.seen, now);
        list.seen = now;
    }
    let mut slow = None;
    if waited && list.len > 0 {
        let held = &list.entries[..list.len];
        // SAFETY: the cache is borrowed only by this module's functions, one
        // at a time (see `Local`).
        let cached = LOCAL
            .try_with(|l| known(held, unsafe { &*l.cache.get() }, &taken))
            .unwrap_or(true);
        if !cached {
            slow = Some(before(held, taken.tag));
        }
    }
    if list.len < HELD_MAX {
        list.entries[list.len] = taken;
        list.len += 1;
    } else {
        list.overflow += 1;
        graph::held_dropped();
    }
    // The edges are learned without the slot's lock (they lock the graph's
    // shards, and look futures up in the registry).
    drop(guard);
    if let Some(before) = slow {
        order(&before, taken, context::current(), false);
    }
    true
}

/// The hold of `lock` by plain task `tag` is released (by whichever
/// context). Returns whether the task's list had it (or absorbed it as one
/// not kept).
#[cold]
#[inline(never)]
pub(super) fn release(tag: u64, lock: NodeId) -> bool {
    remove(tag, lock, true)
}

/// Plain task `tag` no longer holds `lock` (released, or moved to another
/// holder peeps saw); `absorb`: a release, which the list's overflow count
/// takes when the lock is not in it. Returns whether it was.
pub(super) fn remove(tag: u64, lock: NodeId, absorb: bool) -> bool {
    let Some((slot, mut guard)) = lock_list(tag, false) else {
        return false;
    };
    let list = &mut *guard;
    match list.entries[..list.len]
        .iter()
        .rposition(|h| h.lock == lock)
    {
        Some(i) => {
            list.entries.copy_within(i + 1..list.len, i);
            list.len -= 1;
        }
        None if absorb && list.overflow > 0 => list.overflow -= 1,
        None => return false,
    }
    settle(slot, list);
    true
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

    /// A task's slot is claimed by its first lock, kept while it holds one,
    /// and given up with its last; a release by the holder's id is exact
    /// whichever thread makes it.
    #[test]
    fn a_tasks_slot_lives_while_it_holds_something() {
        let tag = crate::id::FOREIGN_BASE + 900_001;
        assert!(take(held(11, tag), false));
        assert!(take(held(12, tag), false));
        let other = std::thread::spawn(move || release(tag, 11)).join().unwrap();
        assert!(other, "released from another thread");
        assert!(lock_list(tag, false).is_some(), "still holds lock 12");
        assert!(!release(tag, 11), "released once");
        assert!(release(tag, 12));
        assert!(lock_list(tag, false).is_none(), "its slot is free");
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
        assert!(lock_list(a, false).is_none());
        let (_, list) = lock_list(b, false).expect("b holds two");
        assert_eq!(
            list.entries[..list.len]
                .iter()
                .map(|h| h.lock)
                .collect::<Vec<_>>(),
            [21, 22]
        );
        drop(list);
        assert!(release(b, 22) && release(b, 21));
    }

    /// More than `HELD_MAX` locks: the ones not kept are absorbed by their
    /// task's releases only.
    #[test]
    fn a_full_list_absorbs_its_own_releases_only() {
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
            assert!(release(a, 100 + lock), "lock {lock}");
        }
        assert!(lock_list(a, false).is_none());
    }
}
