//! Test scopes: which `#[peeps::test]` run a task belongs to.
//!
//! Each run gets an id unique in the process. A thread-local holds the id
//! of the run whose code the thread executes: set for the whole life of the
//! run's own threads (the thread that drives its `block_on`, and through
//! `on_thread_start` every worker and blocking thread of its runtime, which
//! only ever poll that run's tasks). A task spawned through peeps copies the
//! id when it is made ([`current`]: one thread-local read per spawn, none
//! per poll) and shows it as the node attribute `test_scope`, so the
//! analysis of a process running tests in parallel threads can say whose
//! task is whose.
//!
//! # Global state
//!
//! The counter handing out ids, and the thread-local.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

static NEXT: AtomicU64 = AtomicU64::new(1);

thread_local! {
    static SCOPE: Cell<u64> = const { Cell::new(0) };
}

/// A new scope id (never 0).
pub(crate) fn new_id() -> u64 {
    NEXT.fetch_add(1, Relaxed)
}

/// The scope of the code running on this thread (0: outside any test).
#[inline]
pub fn current() -> u64 {
    SCOPE.try_with(Cell::get).unwrap_or(0)
}

/// Makes `id` this thread's scope for the rest of its life (a runtime's
/// worker and blocking threads belong to one test run).
pub(crate) fn set_for_thread(id: u64) {
    let _ = SCOPE.try_with(|s| s.set(id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_belongs_to_the_thread_that_set_it() {
        let a = new_id();
        let b = new_id();
        assert!(a != 0 && b != a);
        let other = std::thread::spawn(move || {
            assert_eq!(current(), 0, "no scope before it is set");
            set_for_thread(b);
            current()
        });
        assert_eq!(other.join().unwrap(), b);
        assert_eq!(current(), 0, "another thread's scope is its own");
    }
}
