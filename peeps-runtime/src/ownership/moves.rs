//! Applying a move peeps saw to the hold a mark names.

use super::mark::Key;
use parking_lot::Mutex;
use peeps_graph::{Evidence, NodeId};
use std::hash::BuildHasher;
use std::sync::LazyLock;

/// The hold named `key` is now held by node `to` (a task, or the channel
/// carrying it in a message), as `via` says; `from` is the channel whose
/// message brought it (`received`; 0 otherwise). A key that names no live hold
/// (a mark left in bytes a value was moved out of, or data that looked
/// like one) changes nothing. Cold: called only for marks a scan found.
#[cold]
#[inline(never)]
pub fn moved(key: Key, to: NodeId, via: Evidence, from: NodeId) {
    moved_seeding(key, to, via, from, None);
}

/// As [`moved`]; `seed`: the saved lock list of the peeps task `to`, being
/// spawned now (a lock's owned guard moved into it is listed there: see
/// `lockorder::moved`).
#[cold]
#[inline(never)]
pub(crate) fn moved_seeding(
    key: Key,
    to: NodeId,
    via: Evidence,
    from: NodeId,
    seed: Option<&crate::lockorder::Saved>,
) {
    let m = Move { to, via, since: crate::clock::now_ms(), from };
    if let Some(pair_end) = key.as_pair_end() {
        crate::pair::moved(pair_end, m);
        return;
    }
    if let Some(entry) = crate::registry::find(key.owner)
        && let Some(set) = entry.holders()
    {
        set.moved_seeding(key.ticket, m, seed);
    }
}

/// A move of a hold peeps saw: to whom, as what evidence, when, and from
/// which channel's message (`received`; 0 otherwise). Kept as it is for a
/// hold whose node is not registered yet (a oneshot pair nobody waited
/// on), until the node registers and takes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Move {
    /// The new holder.
    pub(crate) to: NodeId,
    /// What peeps saw.
    pub(crate) via: Evidence,
    /// When (the coarse clock's ms).
    pub(crate) since: u64,
    /// The channel whose message brought it, for `received` (else 0).
    pub(crate) from: NodeId,
}

/// How many pending moves are kept: a table of this many slots, each move
/// in the slot its key hashes to. A move is needed only from the moment it
/// is made until an end of its pair first waits and registers the pair
/// (usually at once, as the requester awaits its reply); a pair that
/// completes without ever waiting leaves its move until another move takes
/// the slot. Losing a move to a collision costs precision (the end is then
/// attributed to its maker), never a false alarm.
const PENDING_SLOTS: usize = 4096;

/// One slot of the table: the move and the key it is for.
type Slot = Mutex<Option<(Key, Move)>>;

/// Moves of holds not registered yet, bounded: a lossy table of
/// [`PENDING_SLOTS`] slots (no allocation, one uncontended lock per move).
pub(crate) struct Moves {
    slots: Box<[Slot]>,
}

impl std::fmt::Debug for Moves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moves").field("slots", &self.slots.len()).finish_non_exhaustive()
    }
}

/// The process's pending moves.
pub(crate) fn pending() -> &'static Moves {
    static PENDING: LazyLock<Moves> = LazyLock::new(Moves::new);
    &PENDING
}

impl Moves {
    fn new() -> Self {
        Moves { slots: (0..PENDING_SLOTS).map(|_| Mutex::new(None)).collect() }
    }

    fn slot(&self, key: Key) -> &Slot {
        let h = crate::id::IdHash::default().hash_one(key);
        // The high bits: the multiply mixes into them.
        &self.slots[(h >> 32) as usize % self.slots.len()]
    }

    /// Keeps `m` for `key`, replacing an older move of it (or of a key
    /// that shares its slot).
    pub(crate) fn put(&self, key: Key, m: Move) {
        *self.slot(key).lock() = Some((key, m));
    }

    /// Takes the move kept for `key`, if any.
    pub(crate) fn take(&self, key: Key) -> Option<Move> {
        let mut slot = self.slot(key).lock();
        match *slot {
            Some((k, m)) if k == key => {
                *slot = None;
                Some(m)
            }
            _ => None,
        }
    }

    /// How many moves are kept (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.lock().is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_moves_are_taken_once_and_bounded() {
        let p = Moves::new();
        let m = Move { to: 5, via: Evidence::InMessage, since: 1, from: 0 };
        p.put(Key::pair_end(2), m);
        assert_eq!(p.take(Key::pair_end(2)).map(|m| m.to), Some(5));
        assert!(p.take(Key::pair_end(2)).is_none());
        for i in 0..(PENDING_SLOTS * 4) as u64 {
            p.put(Key::pair_end(i << 1), m);
        }
        assert!(p.len() <= PENDING_SLOTS);
        // Consecutive pair ids spread over the slots: most of the latest
        // slot-count moves are still there.
        let kept = (0..PENDING_SLOTS as u64)
            .filter(|i| p.take(Key::pair_end((i + 3 * PENDING_SLOTS as u64) << 1)).is_some())
            .count();
        assert!(kept > PENDING_SLOTS / 2, "{kept} of the latest {PENDING_SLOTS} kept");
        // A key never put takes nothing, even from an occupied slot.
        p.put(Key::pair_end(2), m);
        assert!((0..PENDING_SLOTS as u64 * 8).all(|i| p.take(Key::pair_end((i << 1) | 1)).is_none()));
        assert!(p.take(Key::pair_end(2)).is_some());
    }
}
