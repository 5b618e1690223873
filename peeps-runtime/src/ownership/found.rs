//! At snapshot time: the handles found inside the state of blocked tasks.

use super::mark::Key;
use peeps_graph::NodeId;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// How many bytes of task state one snapshot reads at most: past it, the
/// remaining tasks are not searched (their handles keep the holder peeps
/// saw last). About a millisecond of reading.
pub(crate) const SCAN_BUDGET: usize = 16 << 20;
/// A task state larger than this is not searched.
pub(crate) const SCAN_MAX_STATE: usize = 1 << 20;

/// Which tasks' states each movable handle was found in at a snapshot,
/// and which were found in static memory.
#[derive(Debug, Default)]
pub struct Found {
    by_key: HashMap<Key, Vec<NodeId>>,
    /// How many times each mark was read in the states searched.
    in_states: HashMap<Key, u32>,
    in_static: HashSet<Key>,
    /// How many times each mark is on the heap: searched once, on the
    /// first question ([`Found::beyond_states`]).
    on_heap: OnceLock<HashMap<Key, u32>>,
    /// The `held_by` edges of handles their holder used, by their place in
    /// the snapshot's edges, with their keys (see [`Found::note_used`]).
    used: parking_lot::Mutex<Vec<(usize, Key)>>,
}

impl Found {
    /// Records that `key` was found in static memory (a `static`).
    pub fn add_static(&mut self, key: Key) {
        self.in_static.insert(key);
    }

    /// Whether `key` was found in static memory: a handle there is
    /// anyone's (any task may use it next), whatever state also has its
    /// mark (the bytes it was moved out of into the `static`).
    pub fn in_static(&self, key: Key) -> bool {
        self.in_static.contains(&key)
    }

    /// Records that `key` was found in `task`'s state.
    pub fn add(&mut self, key: Key, task: NodeId) {
        *self.in_states.entry(key).or_default() += 1;
        let tasks = self.by_key.entry(key).or_default();
        if !tasks.contains(&task) {
            tasks.push(task);
        }
    }

    /// Whether `key` was found in `task`'s state (bytes a value was moved
    /// out of may hold its mark too: a task that peeps believes holds a
    /// handle is confirmed by a find in its state, whatever else holds it).
    pub fn found_in(&self, key: Key, task: NodeId) -> bool {
        self.by_key.get(&key).is_some_and(|t| t.contains(&task))
    }

    /// The task whose state holds `key`, when exactly one does: a handle
    /// in two states is in one, and the other has the bytes it was moved
    /// out of, which one peeps cannot tell.
    pub fn only_task_of(&self, key: Key) -> Option<NodeId> {
        match self.by_key.get(&key).map(Vec::as_slice) {
            Some([task]) => Some(*task),
            _ => None,
        }
    }

    /// Whether the heap holds `key`'s mark more often than the task states
    /// searched (which are on the heap too): a copy of the handle lies
    /// outside them, in memory no task is known to own (a map, an `Arc`'s
    /// value, the state of a task peeps does not read). The first call
    /// searches the heap (up to about 18 ms, see `heap`); a snapshot asks
    /// only of a handle whose holder waits for what only it can do.
    pub fn beyond_states(&self, key: Key) -> bool {
        let on_heap = self.on_heap.get_or_init(|| {
            let mut counts: HashMap<Key, u32> = HashMap::new();
            super::heap::scan_heap(|k| *counts.entry(k).or_default() += 1);
            counts
        });
        on_heap.get(&key).copied().unwrap_or(0) > self.in_states.get(&key).copied().unwrap_or(0)
    }

    /// Notes that the `held_by` edge about to be the snapshot's `edge`-th
    /// stands for the hold `key`, proven by its holder's use.
    pub fn note_used(&self, edge: usize, key: Key) {
        self.used.lock().push((edge, key));
    }

    /// The edges [`Found::note_used`] noted, taken.
    pub(crate) fn take_used(&self) -> Vec<(usize, Key)> {
        std::mem::take(&mut *self.used.lock())
    }

    /// How many handles were found.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_in_two_states_confirms_either_but_names_neither() {
        let mut f = Found::default();
        f.add(Key::hold(1, 2), 10);
        f.add(Key::hold(1, 2), 10);
        f.add(Key::hold(1, 3), 10);
        f.add(Key::hold(1, 3), 11);
        assert_eq!(f.only_task_of(Key::hold(1, 2)), Some(10));
        assert_eq!(f.only_task_of(Key::hold(1, 3)), None);
        assert!(f.found_in(Key::hold(1, 3), 11) && f.found_in(Key::hold(1, 3), 10));
        assert!(!f.found_in(Key::hold(1, 3), 12));
        assert_eq!(f.only_task_of(Key::hold(1, 4)), None);
        assert_eq!(f.len(), 2);
    }
}
