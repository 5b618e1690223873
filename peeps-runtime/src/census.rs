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
//! A runtime is noted the first time a thread spawns a peeps task, runs a
//! `#[peeps::test]` body or polls an instrumented top-level future of a
//! plain task in it (a thread-local check on those paths, a `Handle` clone
//! once per thread). A thread that later enters another runtime (a second
//! `block_on` on it) is not asked again until a snapshot finds peeps knows
//! more tasks than the runtimes noted have alive: that snapshot takes one
//! task as unseen, and every thread notes its runtime again at its next
//! spawn ([`renote`]).

use parking_lot::Mutex;
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use tokio::runtime::Handle;

/// How many runtimes are kept; past that, one with no task alive is
/// forgotten to make room (a test binary makes a runtime per test).
const KEPT: usize = 16;

/// The runtimes noted, oldest first.
static RUNTIMES: Mutex<Vec<Handle>> = Mutex::new(Vec::new());

/// Which round of noting runs: a thread noted its runtime in this round
/// when its `NOTED` says so.
static ROUND: AtomicU32 = AtomicU32::new(1);

thread_local! {
    /// The round in which this thread noted its runtime (0: never).
    static NOTED: Cell<u32> = const { Cell::new(0) };
}

/// Notes the runtime of the current thread, once per thread and round.
#[inline]
pub(crate) fn note_runtime() {
    let round = ROUND.load(Relaxed);
    if NOTED.try_with(|n| n.replace(round)) != Ok(round) {
        note_slow();
    }
}

/// Asks every thread to note its runtime again at its next spawn: a
/// runtime was missed.
pub(crate) fn renote() {
    ROUND.fetch_add(1, Relaxed);
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
        // Forget one with no task alive (a dropped runtime reads 0), never
        // one that runs tasks; with none to forget, this one goes
        // uncounted, and the census says so (see `census` in snapshot.rs).
        let Some(idle) = runtimes.iter().position(|h| h.metrics().num_alive_tasks() == 0) else {
            return;
        };
        runtimes.remove(idle);
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
