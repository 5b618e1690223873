//! At snapshot time: the handles found inside the state of blocked tasks.

use super::mark::Key;
use peeps_graph::NodeId;
use std::collections::HashMap;

/// How many bytes of task state one snapshot reads at most: past it, the
/// remaining tasks are not searched (their handles keep the holder peeps
/// saw last). About a millisecond of reading.
pub(crate) const SCAN_BUDGET: usize = 16 << 20;
/// A task state larger than this is not searched.
pub(crate) const SCAN_MAX_STATE: usize = 1 << 20;

/// Which task's state each movable handle was found in at a snapshot.
#[derive(Debug, Default)]
pub struct Found {
    by_key: HashMap<Key, NodeId>,
}

/// In two tasks' states: bytes one of them was moved out of. Neither counts.
const AMBIGUOUS: NodeId = 0;

impl Found {
    /// Records that `key` was found in `task`'s state.
    pub fn add(&mut self, key: Key, task: NodeId) {
        self.by_key
            .entry(key)
            .and_modify(|t| {
                if *t != task {
                    *t = AMBIGUOUS;
                }
            })
            .or_insert(task);
    }

    /// The task whose state holds `key`, when exactly one does.
    pub fn task_of(&self, key: Key) -> Option<NodeId> {
        self.by_key.get(&key).copied().filter(|&t| t != AMBIGUOUS)
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
    fn a_handle_in_two_states_belongs_to_neither() {
        let mut f = Found::default();
        f.add(Key::hold(1, 2), 10);
        f.add(Key::hold(1, 2), 10);
        f.add(Key::hold(1, 3), 10);
        f.add(Key::hold(1, 3), 11);
        assert_eq!(f.task_of(Key::hold(1, 2)), Some(10));
        assert_eq!(f.task_of(Key::hold(1, 3)), None);
        assert_eq!(f.task_of(Key::hold(1, 4)), None);
        assert_eq!(f.len(), 2);
    }
}
