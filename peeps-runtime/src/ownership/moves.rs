//! Applying a move peeps saw to the hold a mark names.

use super::mark::Key;
use parking_lot::Mutex;
use peeps_graph::{Evidence, NodeId};
use std::collections::{HashMap, VecDeque};
use std::sync::LazyLock;

/// The hold named `key` is now held by node `to` (a task, or the channel
/// carrying it in a message), as `via` says. A key that names no live hold
/// (a mark left in bytes a value was moved out of, or data that looked
/// like one) changes nothing. Cold: called only for marks a scan found.
#[cold]
#[inline(never)]
pub fn moved(key: Key, to: NodeId, via: Evidence) {
    if let Some(pair_end) = key.as_pair_end() {
        crate::pair::moved(pair_end, to, via);
        return;
    }
    if let Some(entry) = crate::registry::find(key.owner)
        && let Some(set) = entry.holders()
    {
        set.moved(key.ticket, to, via, crate::clock::now_ms());
    }
}

/// A move of a hold whose node is not registered yet (a oneshot pair
/// nobody waited on), kept until the node registers and takes it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingMove {
    pub(crate) to: NodeId,
    pub(crate) via: Evidence,
    pub(crate) since: u64,
}

/// How many pending moves a shard keeps: the oldest go first. A pair that
/// completes without ever waiting leaves its move here until pushed out.
const PENDING_PER_SHARD: usize = 256;
const PENDING_SHARDS: usize = 16;

#[derive(Debug, Default)]
struct Shard {
    moves: HashMap<Key, PendingMove>,
    order: VecDeque<Key>,
}

/// Moves of holds not registered yet, bounded.
#[derive(Debug)]
pub(crate) struct PendingMoves {
    shards: [Mutex<Shard>; PENDING_SHARDS],
}

/// The process's pending moves.
pub(crate) fn pending() -> &'static PendingMoves {
    static PENDING: LazyLock<PendingMoves> =
        LazyLock::new(|| PendingMoves { shards: std::array::from_fn(|_| Mutex::new(Shard::default())) });
    &PENDING
}

impl PendingMoves {
    fn shard(&self, key: Key) -> &Mutex<Shard> {
        &self.shards[(key.ticket as usize ^ key.owner as usize) % PENDING_SHARDS]
    }

    /// Keeps `m` for `key`, replacing an older move of it.
    pub(crate) fn put(&self, key: Key, m: PendingMove) {
        let mut shard = self.shard(key).lock();
        if shard.moves.insert(key, m).is_none() {
            shard.order.push_back(key);
            while shard.order.len() > PENDING_PER_SHARD {
                if let Some(old) = shard.order.pop_front() {
                    shard.moves.remove(&old);
                }
            }
        }
    }

    /// Takes the move kept for `key`, if any.
    pub(crate) fn take(&self, key: Key) -> Option<PendingMove> {
        let mut shard = self.shard(key).lock();
        let m = shard.moves.remove(&key)?;
        shard.order.retain(|k| *k != key);
        Some(m)
    }

    /// How many moves are kept (for tests).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().moves.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_moves_are_taken_once_and_bounded() {
        let p = PendingMoves { shards: std::array::from_fn(|_| Mutex::new(Shard::default())) };
        let m = PendingMove { to: 5, via: Evidence::InMessage, since: 1 };
        p.put(Key::pair_end(2), m);
        assert_eq!(p.take(Key::pair_end(2)).map(|m| m.to), Some(5));
        assert!(p.take(Key::pair_end(2)).is_none());
        for i in 0..(PENDING_PER_SHARD * PENDING_SHARDS * 4) as u64 {
            p.put(Key::pair_end(i << 1), m);
        }
        assert!(p.len() <= PENDING_PER_SHARD * PENDING_SHARDS);
    }
}
