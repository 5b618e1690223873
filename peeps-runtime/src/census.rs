//! The tokio runtimes peeps has seen, and a snapshot's count of their tasks
//! that peeps cannot see into.
//!
//! A handle moved into a task spawned with plain `tokio::spawn` (an
//! uninstrumented future) leaves no trace: the bytes it was moved out of
//! may stay in its old holder's state, and its old holder's uses stay on
//! record. While tasks like that are running, what peeps last saw of a
//! movable handle proves nothing about who has it now (docs/ownership.md).
//! tokio counts the tasks alive in a runtime (`num_alive_tasks`); peeps
//! knows which of them it can see into, so the difference is the number of
//! places a handle may have gone unseen.
//!
//! A runtime is noted the first time a thread spawns a peeps task or polls
//! an instrumented top-level future of a plain task in it (one
//! thread-local check on those paths, a `Handle` clone once per thread).

use parking_lot::Mutex;
use std::cell::Cell;
use tokio::runtime::Handle;

/// How many runtimes are kept; past that, the oldest noted is forgotten
/// (a test binary makes a runtime per test).
const KEPT: usize = 16;

/// The runtimes noted, oldest first.
static RUNTIMES: Mutex<Vec<Handle>> = Mutex::new(Vec::new());

thread_local! {
    /// This thread has noted its runtime.
    static NOTED: Cell<bool> = const { Cell::new(false) };
}

/// Notes the runtime of the current thread, the first time on this thread.
#[inline]
pub(crate) fn note_runtime() {
    if NOTED.try_with(|n| n.replace(true)) == Ok(false) {
        note_slow();
    }
}

#[cold]
#[inline(never)]
fn note_slow() {
    let Ok(handle) = Handle::try_current() else {
        return;
    };
    let mut runtimes = RUNTIMES.lock();
    if runtimes.iter().any(|h| h.id() == handle.id()) {
        return;
    }
    if runtimes.len() == KEPT {
        runtimes.remove(0);
    }
    runtimes.push(handle);
}

/// The tasks alive in the runtimes noted, `None` when none was.
pub(crate) fn alive_tasks() -> Option<u64> {
    let runtimes = RUNTIMES.lock();
    if runtimes.is_empty() {
        return None;
    }
    Some(
        runtimes
            .iter()
            .map(|h| h.metrics().num_alive_tasks() as u64)
            .sum(),
    )
}
