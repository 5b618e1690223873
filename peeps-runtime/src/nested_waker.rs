//! The wakers of executors nested in a peeps task's poll, counted.
//!
//! A `Drop` or a sync helper that cannot `.await` drives a future to its
//! end with an executor of its own, inside its task's poll:
//! `futures::executor::block_on`, `pollster::block_on`, tokio's
//! `Handle::block_on` under `block_in_place`. Its waits are polled with
//! that executor's waker, which peeps does not make, and its thread parks
//! until the waker is woken. When nothing but those waits can wake it, the
//! poll never ends; when something peeps cannot see holds a clone too (the
//! timer of a `timeout` around the wait, a socket), it may.
//!
//! Those wakers are `Arc`s almost always (futures' `ArcWake`, std's `Wake`,
//! tokio's parked-thread waker): the waker's data points into the `Arc`,
//! whose strong count, two words before the data, counts the executor's own
//! references and one per live clone. No vtable is known here, so the
//! layout is checked rather than assumed, once per waker vtable: the first
//! waker of a vtable is cloned twice and dropped once, and the vtable is
//! an `Arc`'s when the word two before the data rose by one with each
//! clone and fell by one with the drop (read through a call that fails
//! instead of faulting; a known `Arc` vtable's counts are read directly).
//! The first pending wait of each such waker keeps a clone. The executor's own references are
//! measured then: the count before the clone, less the one clone the wait
//! itself registered (a wait on a tokio primitive keeps one). A snapshot
//! reads how many clones are alive besides those and the one kept here
//! (`nested_waker_clones` on the task's node); more than the task's waits
//! polled with a foreign waker means something peeps cannot see may wake
//! the executor. The clones kept here are not counted either: they are in
//! the count (futures' executor is one `Arc` per thread, shared by every
//! task nesting it there), and the table and the counts change under one
//! lock.
//!
//! A measure can come out too high: a wake in flight on another thread
//! (the thread that woke the executor's last wait, preempted between the
//! wake and its drop of the clone) holds a clone for a moment, which a
//! count read then would take for one of the executor's own references and
//! later hide a timer's. Each task that nests the same executor (futures'
//! is one per thread) measures again, and the least measure is kept for
//! every task of that executor. A measure too low (the wait woken between
//! its registration and the read) says "may wake": a miss, never a false
//! alarm. A waker that is not an `Arc` (a no-op waker, one of another
//! layout) is never counted: its waits are taken at their word, as before.
//!
//! Cost: a wait's first pending under a waker peeps does not count (also
//! a `FuturesUnordered`'s future's) takes one lock and clones the waker,
//! and lets go of the task's previous clone.

use parking_lot::Mutex;
use peeps_graph::NodeId;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Waker;

/// How many tasks' nested wakers are kept; past that, the oldest is
/// forgotten.
const KEPT: usize = 64;

/// One task's nested executor's waker.
struct Kept {
    /// The task whose poll the executor runs in.
    root: NodeId,
    /// A clone of the executor's waker.
    waker: Waker,
    /// The executor's own references to its `Arc`, measured at the first
    /// wait (see the module's docs).
    own: usize,
}

/// The kept wakers, the oldest first. An ended task's stays until the
/// table is full (its id is never reused): forgetting it at every task's
/// end would take this lock on the spawn path.
static TASKS: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// Whether anything was ever kept: a snapshot of a program that never
/// nests an executor takes no lock.
static ANY: AtomicBool = AtomicBool::new(false);

/// Bumped at every change of [`TASKS`]: a thread's [`LAST`] holds only
/// while nothing changed since (the same task may have nested an executor
/// on another thread meanwhile, whose waker replaced this one).
static GENERATION: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The root, waker data and vtable this thread noted last, and the
    /// [`GENERATION`] then: the same executor's next wait takes no lock.
    static LAST: Cell<(NodeId, usize, usize, usize)> = const { Cell::new((0, 0, 0, 0)) };
}

/// How many waker vtables [`ARC_VTABLES`] and [`OTHER_VTABLES`] each
/// remember.
const VERDICTS: usize = 16;

/// Vtables whose wakers were found to be `Arc`s: a waker's data, when not
/// null, is then a live `ArcInner`'s, read directly.
static ARC_VTABLES: [AtomicUsize; VERDICTS] = [const { AtomicUsize::new(0) }; VERDICTS];
/// Vtables whose wakers were found not to be: never counted.
static OTHER_VTABLES: [AtomicUsize; VERDICTS] = [const { AtomicUsize::new(0) }; VERDICTS];

/// Whether `table` holds `vtable`.
fn holds(table: &[AtomicUsize; VERDICTS], vtable: usize) -> bool {
    table.iter().any(|v| v.load(Ordering::Acquire) == vtable)
}

/// Adds `vtable` to `table` if it has room.
fn add(table: &[AtomicUsize; VERDICTS], vtable: usize) {
    for v in table {
        match v.compare_exchange(0, vtable, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return,
            Err(seen) if seen == vtable => return,
            Err(_) => {}
        }
    }
}

/// The strong count of `waker`'s `Arc`, two words before its data: read
/// directly when its vtable is known to be an `Arc`'s (`arc`), else
/// through a call that fails instead of faulting.
fn strong_of(waker: &Waker, arc: bool) -> Option<usize> {
    let data = waker.data() as usize;
    let at = data.checked_sub(2 * std::mem::size_of::<usize>())?;
    if arc && data.is_multiple_of(std::mem::align_of::<usize>()) {
        // SAFETY: the vtable makes its wakers from `Arc::into_raw` (found
        // by the probe in `measure`), so non-null, aligned data is a live
        // `Arc`'s (the caller holds the waker).
        Some(unsafe { crate::thread_waker::arc_strong_count(waker) })
    } else {
        crate::task_cell::word_at(at)
    }
}

/// Notes that a wait in task `root`'s poll went pending, polled with
/// `waker`, a waker peeps does not count (see the module's docs); called
/// right after the wait's poll registered its clone. Cold: once per such
/// wait.
#[cold]
#[inline(never)]
pub(crate) fn note(root: NodeId, waker: &Waker) {
    let data = waker.data() as usize;
    let seen = (
        root,
        data,
        std::ptr::from_ref(waker.vtable()) as usize,
        GENERATION.load(Ordering::Acquire),
    );
    if root == 0 || LAST.try_with(|last| last.get() == seen).unwrap_or(false) {
        return;
    }
    // After a change of the table, what it is now (this task's entry is
    // this thread's to change: a task polls on one thread at a time).
    let remember = || {
        let now = (seen.0, seen.1, seen.2, GENERATION.load(Ordering::Acquire));
        let _ = LAST.try_with(|last| last.set(now));
    };
    // Everything under the lock, the clones let go too: the clones kept
    // here are in the counts read (a thread's executor, futures' among
    // them, is one `Arc` for every task polled on that thread), so the
    // table and the counts change together.
    let mut tasks = TASKS.lock();
    let at = tasks.iter().position(|k| k.root == root);
    if !at.is_some_and(|at| tasks[at].waker.will_wake(waker)) {
        if let Some(at) = at {
            drop(tasks.remove(at));
        }
        if let Some(mut kept) = measure(&tasks, root, waker) {
            // The executor's own references are the executor's, whichever
            // task measured them: the least seen is the truest.
            let data = waker.data() as usize;
            for other in tasks.iter_mut().filter(|k| k.waker.data() as usize == data) {
                kept.own = kept.own.min(other.own);
                other.own = kept.own;
            }
            if tasks.len() == KEPT {
                drop(tasks.remove(0));
            }
            tasks.push(kept);
            ANY.store(true, Ordering::Relaxed);
        }
        GENERATION.fetch_add(1, Ordering::Release);
    }
    drop(tasks);
    remember();
}

/// How many of the clones kept in `tasks` are of the waker whose data is
/// `data`.
fn kept_of(tasks: &[Kept], data: usize) -> usize {
    tasks.iter().filter(|k| k.waker.data() as usize == data).count()
}

/// Clones `waker` and keeps the clone when its vtable's wakers are `Arc`s,
/// with the executor's own references measured (see the module's docs):
/// the count less the clone the wait just registered and the clones kept
/// here. A vtable not seen before is probed once, through reads that fail
/// instead of faulting: its wakers are `Arc`s when two clones raised the
/// word two before the data by one each and a drop took one back.
fn measure(tasks: &[Kept], root: NodeId, waker: &Waker) -> Option<Kept> {
    let vtable = std::ptr::from_ref(waker.vtable()) as usize;
    if holds(&OTHER_VTABLES, vtable) {
        return None;
    }
    let known = holds(&ARC_VTABLES, vtable);
    let data = waker.data() as usize;
    if data == 0 {
        return None;
    }
    let before = strong_of(waker, known)?;
    let clone = waker.clone();
    let once = strong_of(waker, known);
    if !known {
        let probe = waker.clone();
        let twice = strong_of(waker, false);
        drop(probe);
        let back = strong_of(waker, false);
        let arc = once == before.checked_add(1)
            && twice == before.checked_add(2)
            && back == once;
        add(if arc { &ARC_VTABLES } else { &OTHER_VTABLES }, vtable);
        if !arc {
            // `clones` reads a kept waker's count directly.
            return None;
        }
    }
    if once != before.checked_add(1) {
        return None;
    }
    Some(Kept {
        root,
        waker: clone,
        own: before.checked_sub(1 + kept_of(tasks, data))?,
    })
}

/// How many clones of the waker of the executor nested in task `root`'s
/// poll are alive besides the executor's own references and the ones kept
/// here: what will wake it. `None` when not known.
pub(crate) fn clones(root: NodeId) -> Option<u64> {
    if !ANY.load(Ordering::Relaxed) {
        return None;
    }
    let tasks = TASKS.lock();
    let k = tasks.iter().find(|k| k.root == root)?;
    let data = k.waker.data() as usize;
    // The clone kept here keeps the `Arc` alive while it is read; it was
    // kept only for a vtable found to be an `Arc`'s.
    let strong = strong_of(&k.waker, true)?;
    u64::try_from(strong.checked_sub(k.own + kept_of(&tasks, data))?).ok()
}

#[cfg(test)]
mod tests {
    use super::{clones, note};
    use std::sync::Arc;
    use std::task::{RawWaker, RawWakerVTable, Wake, Waker};

    struct Flag;
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn counts_the_clones_of_an_arc_waker_beyond_the_executors_own() {
        // An executor keeps its `Arc` and polls with a waker of its own.
        let executor = Arc::new(Flag);
        let waker = Waker::from(executor.clone());
        // A wait registers one clone, then notes.
        let registered = waker.clone();
        let root = 0x5eed_0001;
        note(root, &waker);
        assert_eq!(clones(root), Some(1), "the wait's clone");
        // A timer registers another.
        let timer = waker.clone();
        assert_eq!(clones(root), Some(2));
        drop(timer);
        drop(registered);
        assert_eq!(clones(root), Some(0));
        // The executor's `Arc`, its waker and the clone kept here.
        assert_eq!(Arc::strong_count(&executor), 3);
        // Another executor in the same task replaces it.
        let other = Arc::new(Flag);
        let other_waker = Waker::from(other.clone());
        let registered = other_waker.clone();
        note(root, &other_waker);
        assert_eq!(Arc::strong_count(&executor), 2, "the first clone is let go");
        assert_eq!(clones(root), Some(1));
        drop(registered);
    }

    /// futures' executor is one `Arc` per thread, for every task nesting
    /// it there: the clones kept for other tasks are not counted as wakes.
    #[test]
    fn the_clones_kept_for_other_tasks_of_one_executor_are_not_counted() {
        let thread_executor = Arc::new(Flag);
        let waker = Waker::from(thread_executor.clone());
        let (a, b) = (0x5eed_0003, 0x5eed_0004);
        let wait_a = waker.clone();
        note(a, &waker);
        drop(wait_a);
        // Task b nests the same executor later, on the same thread.
        let wait_b = waker.clone();
        note(b, &waker);
        assert_eq!(clones(b), Some(1));
        let timer = waker.clone();
        assert_eq!(clones(b), Some(2));
        // Task a nests on another thread now: its clone of this one goes.
        let elsewhere = Arc::new(Flag);
        let elsewhere_waker = Waker::from(elsewhere.clone());
        let wait_a = elsewhere_waker.clone();
        note(a, &elsewhere_waker);
        assert_eq!(clones(a), Some(1));
        assert_eq!(clones(b), Some(2), "b's count is as it was");
        drop((timer, wait_b, wait_a));
        assert_eq!(clones(b), Some(0));
    }

    #[test]
    fn a_waker_that_is_no_arc_is_not_counted() {
        let root = 0x5eed_0002;
        note(root, Waker::noop());
        assert_eq!(clones(root), None);
        // Data pointing at readable memory whose word two before does not
        // move with a clone: a static waker.
        static WORDS: [usize; 4] = [7, 7, 7, 7];
        const VTABLE: RawWakerVTable = RawWakerVTable::new(
            |data| RawWaker::new(data, &VTABLE),
            |_| {},
            |_| {},
            |_| {},
        );
        let data = WORDS[2..].as_ptr().cast::<()>();
        // SAFETY: the vtable's functions do nothing with the data.
        let waker = unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) };
        note(root, &waker);
        assert_eq!(clones(root), None);
    }
}

