//! The locks one side of an order edge was seen at: every lock held (or
//! every lock taken) when the edge was observed, listed so the analysis
//! closes a cycle through a class only where one edge took a lock the next
//! edge held (`peeps_graph::OrderEdge::meets`).
//!
//! A side lists at most [`MAX_EDGE_LOCKS`] locks, and all edges together at
//! most [`MAX_LISTED`]; past either, the side says "any lock of the class"
//! (its list is let go), and a lock the budget could not list is counted.

use peeps_graph::{MAX_EDGE_LOCKS, NodeId};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// How many locks all edges' sides list at once, at most (8 bytes each).
pub(super) const MAX_LISTED: usize = 1 << 17;

/// Locks listed by all sides now.
static LISTED: AtomicUsize = AtomicUsize::new(0);
/// Locks a side could not list because [`MAX_LISTED`] were listed.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// How many locks a side could not list for the budget, so far.
pub(super) fn dropped() -> u64 {
    DROPPED.load(Relaxed)
}

/// One side of an edge: the locks seen there, ascending, or any.
#[derive(Debug, Default)]
pub(super) struct EdgeLocks {
    locks: Vec<NodeId>,
    any: bool,
}

impl EdgeLocks {
    /// A side seen at `lock` alone.
    pub(super) fn one(lock: NodeId) -> EdgeLocks {
        let mut side = EdgeLocks::default();
        side.note(lock);
        side
    }

    /// Notes that the side was seen at `lock`.
    pub(super) fn note(&mut self, lock: NodeId) {
        if self.any {
            return;
        }
        let Err(at) = self.locks.binary_search(&lock) else {
            return;
        };
        if self.locks.len() >= MAX_EDGE_LOCKS {
            self.give_up();
            return;
        }
        if LISTED.fetch_add(1, Relaxed) >= MAX_LISTED {
            LISTED.fetch_sub(1, Relaxed);
            DROPPED.fetch_add(1, Relaxed);
            self.give_up();
            return;
        }
        self.locks.insert(at, lock);
    }

    /// Whether the side stands for any lock of its class.
    pub(super) fn any(&self) -> bool {
        self.any
    }

    /// The locks listed (none when [`any`](Self::any)).
    pub(super) fn listed(&self) -> &[NodeId] {
        &self.locks
    }

    /// From now on the side is any lock: its list goes back to the budget.
    fn give_up(&mut self) {
        self.any = true;
        LISTED.fetch_sub(self.locks.len(), Relaxed);
        self.locks = Vec::new();
    }
}

#[cfg(test)]
mod tests {
    use super::EdgeLocks;
    use peeps_graph::MAX_EDGE_LOCKS;

    #[test]
    fn a_side_lists_its_locks_once_each_ascending() {
        let mut side = EdgeLocks::one(30);
        for lock in [10, 30, 20, 10] {
            side.note(lock);
        }
        assert_eq!(side.listed(), [10, 20, 30]);
        assert!(!side.any());
    }

    #[test]
    fn a_side_past_its_cap_is_any_lock() {
        let mut side = EdgeLocks::one(1);
        for lock in 2..=MAX_EDGE_LOCKS as u64 {
            side.note(lock);
        }
        assert_eq!(side.listed().len(), MAX_EDGE_LOCKS);
        side.note(1);
        assert!(!side.any(), "a lock listed already is no new one");
        side.note(MAX_EDGE_LOCKS as u64 + 1);
        assert!(side.any());
        assert!(side.listed().is_empty());
    }
}
