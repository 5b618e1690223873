//! The wakers of plain tokio tasks, counted.
//!
//! A peeps task counts the clones of its waker ([`crate::waker`]); a task
//! spawned with plain `tokio::spawn` is polled with tokio's own task waker,
//! which peeps does not make. That waker's data is the task's header, whose
//! first word is the task's state: a few flag bits and, above them, the
//! number of references to the task. Those are one for the runtime's list
//! of its tasks, one for its `JoinHandle` while that lives (the
//! `JOIN_INTEREST` bit), one while it runs or is queued to run, and one
//! for each clone of its waker alive: each thing that will wake it (a
//! pending wait on a tokio primitive, a timer, a socket), or an
//! `AbortHandle`.
//!
//! The first pending wait on a peeps primitive of each plain task keeps a
//! clone of the waker it was polled with (so the header outlives the read);
//! a snapshot reads how many others are alive (`waker_clones` on the task's
//! node). When that is more than the task's pending peeps waits, something
//! peeps cannot see (a timer under `timeout`, a socket in the same
//! `select!`) may wake it, as for a peeps task with an unaccounted clone;
//! when it is not, the task only runs again once one of its waits ends.
//! Only a waker whose vtable is tokio's task waker one is read: the vtable
//! is learned once, from a task of a runtime of peeps' own on a thread of
//! its own. A task with a wait polled with any other waker (a combinator's,
//! an instrumented future's) is never counted: its waits are taken at their
//! word, as before. Its own waker is still kept for its cell alone (who
//! awaits its `JoinHandle`, read by `task_join`): found below an
//! instrumented future's sub-waker, or else looked for once on the stack
//! of its poll.
//!
//! The clones are kept in a table of [`SLOTS`] slots, one per task (by its
//! id; a task whose slot another takes is forgotten). A clone keeps its
//! task's memory (not its future, which tokio drops when it completes)
//! until a later note of the same slot, or the sweep each clone kept makes
//! of one other slot, finds the task complete.
//!
//! This reads tokio's private layout (tokio 1.x's `runtime::task::Header`
//! and `State`): a layout that changes turns every count into a wrong one,
//! so the bits are checked against what a task of peeps' own shows when the
//! vtable is learned, and nothing is read when they do not match.
//!
//! Compiled in both builds: without feature `diagnostics` nothing notes a
//! waker, so no task is counted.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use parking_lot::Mutex;
use peeps_graph::NodeId;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Poll, Waker};

/// The address of tokio's task waker vtable; [`UNKNOWN`] before it was
/// learned, [`FAILED`] when learning it failed or tokio's layout is not the
/// one this module reads.
static TASK_VTABLE: AtomicUsize = AtomicUsize::new(UNKNOWN);
const UNKNOWN: usize = 0;
const FAILED: usize = 1;

/// tokio's task state bits (`runtime/task/state.rs`).
pub(crate) const RUNNING: usize = 0b1;
pub(crate) const COMPLETE: usize = 0b10;
/// Queued to run.
pub(crate) const NOTIFIED: usize = 0b100;
pub(crate) const JOIN_INTEREST: usize = 0b1000;
/// Its `JoinHandle`'s waker is set (in the task's trailer).
pub(crate) const JOIN_WAKER: usize = 0b1_0000;
const CANCELLED: usize = 0b10_0000;
/// The reference count starts above the six flag bits.
const REF_SHIFT: u32 = 6;

/// How many tasks' wakers are kept (a power of two).
const SLOTS: usize = 512;

/// One plain task's waker.
struct Slot {
    /// The task's node id (0: empty).
    root: NodeId,
    /// A clone of the waker its waits were polled with, while it is tokio's
    /// task waker (no other waker is kept: a user's waker must go when the
    /// user's future lets it go).
    waker: Option<Waker>,
    /// One of its waits was polled with a waker that is not tokio's task
    /// waker: its clones are not all in this count.
    mixed: bool,
    /// A mixed task's own waker, found below the sub-wakers of the
    /// instrumented future its waits were polled in: kept for its cell
    /// alone (`task_join` reads its join waker), never counted.
    cell: Option<Waker>,
    /// Its cell was looked for on the stack (see [`seek_cell`]): not again.
    sought: bool,
    /// A wait of its was polled with tokio's `block_on` waker (a
    /// `spawn_blocking` closure's `Handle::block_on`): that waker is
    /// counted as a thread's (`thread_waker`), until a wait polled with
    /// yet another waker makes it mixed there too.
    parked: bool,
}

impl Slot {
    /// Gives the slot to task `root`, forgetting the task it kept: `waker`
    /// is the clone it counts (`None`: its waits are mixed), `cell` its own
    /// waker kept for its cell. Returns the wakers it kept before, to be
    /// dropped outside the slot's lock (either may be a task's last
    /// reference).
    fn take_over(
        &mut self,
        root: NodeId,
        waker: Option<Waker>,
        cell: Option<Waker>,
    ) -> (Option<Waker>, Option<Waker>) {
        self.root = root;
        self.mixed = waker.is_none();
        self.sought = false;
        self.parked = false;
        (
            std::mem::replace(&mut self.waker, waker),
            std::mem::replace(&mut self.cell, cell),
        )
    }
}

/// A slot of the table: what it keeps, behind its lock, and the task and
/// waker data of the clone it keeps (0 when none, or the task's waits are
/// mixed), which the next note of the same waker reads without the lock.
struct SlotCell {
    kept_root: AtomicU64,
    kept_data: AtomicUsize,
    slot: Mutex<Slot>,
}

static TABLE: [SlotCell; SLOTS] = [const {
    SlotCell {
        kept_root: AtomicU64::new(0),
        kept_data: AtomicUsize::new(0),
        slot: Mutex::new(Slot {
            root: 0,
            waker: None,
            mixed: false,
            cell: None,
            sought: false,
            parked: false,
        }),
    }
}; SLOTS];

/// The next slot a note sweeps.
static SWEEP: AtomicUsize = AtomicUsize::new(0);

fn slot_of(root: NodeId) -> &'static SlotCell {
    &TABLE[(root.wrapping_mul(crate::id::GOLDEN) >> 32) as usize & (SLOTS - 1)]
}

/// Notes that the current context began a pending wait polled with
/// `waker`; counted when that context is a plain tokio task (not a peeps
/// task, not a thread). Once per wait that goes pending outside a peeps
/// task; a task's next wait with the waker kept takes no lock.
#[inline(never)]
pub(crate) fn note(waker: &Waker) {
    let Some(root) = plain_task() else {
        return;
    };
    let vtable = std::ptr::from_ref(waker.vtable()) as usize;
    let data = waker.data() as usize;
    let cell = slot_of(root);
    if cell.kept_root.load(Ordering::Relaxed) == root
        && cell.kept_data.load(Ordering::Relaxed) == data
        && vtable == TASK_VTABLE.load(Ordering::Relaxed)
    {
        return;
    }
    note_slow(cell, root, waker, vtable, data);
}

/// [`note`] for a waker not kept yet in `cell`, the slot of task `root`.
#[cold]
#[inline(never)]
fn note_slow(cell: &SlotCell, root: NodeId, waker: &Waker, vtable: usize, data: usize) {
    let known = task_vtable();
    let is_task = known > FAILED && vtable == known;
    let is_park = !is_task && crate::thread_waker::is_park(vtable);
    if is_park {
        // A tokio `block_on` inside a task's poll: a worker panics in one,
        // so this is a `spawn_blocking` closure (or a `block_in_place`
        // one) driving its future with `Handle::block_on`. Its cell, for
        // who awaits its `JoinHandle`, as for its blocking calls.
        #[cfg(feature = "diagnostics")]
        crate::ambient::note_blocking_call();
    }
    // Below a sub-waker (an instrumented future's), the task's own waker.
    let own = (!is_task)
        .then(|| below_sub_wakers(waker))
        .flatten()
        .filter(|w| known > FAILED && std::ptr::from_ref(w.vtable()) as usize == known);
    let unknown = !is_task && own.is_none();
    let (dropped, added, old_cell, seek, parked) = {
        let mut slot = cell.slot.lock();
        let cell_added = own.is_some();
        let (dropped, added, old_cell) = if slot.root != root {
            let kept = is_task.then(|| waker.clone());
            let (dropped, old_cell) = slot.take_over(root, kept, own);
            (dropped, is_task, old_cell)
        } else {
            let old_cell = if let Some(w) = own
                && !slot.cell.as_ref().is_some_and(|c| c.will_wake(&w))
            {
                slot.cell.replace(w)
            } else {
                None
            };
            let (dropped, added) = if !is_task {
                slot.mixed = true;
                (slot.waker.take(), false)
            } else if !slot.mixed && !slot.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
                (slot.waker.replace(waker.clone()), true)
            } else {
                (None, false)
            };
            (dropped, added, old_cell)
        };
        let counted = slot.waker.is_some() && !slot.mixed;
        cell.kept_root
            .store(if counted { root } else { 0 }, Ordering::Relaxed);
        cell.kept_data
            .store(if counted { data } else { 0 }, Ordering::Relaxed);
        // Its cell looked for once, outside the lock (see `seek_cell`).
        let seek = unknown && slot.cell.is_none() && !slot.sought;
        slot.sought |= seek;
        // Its `block_on` waker counted as a thread's, outside the lock.
        let parked = is_park || (unknown && slot.parked);
        slot.parked |= is_park;
        (dropped, added || cell_added, old_cell, seek, parked)
    };
    // Dropped outside the slot's lock: it may be the task's last reference.
    drop(dropped);
    drop(old_cell);
    if added {
        sweep_one();
    }
    if seek {
        seek_cell(root);
    }
    if parked {
        // Counted as a `block_on` thread's waker is (or, for another
        // waker beside it, no longer counted).
        crate::thread_waker::note(root, waker);
    }
}

/// Looks, on this thread's stack, for the cell of plain task `root`,
/// whose wait was polled with a waker that is neither tokio's task waker
/// nor above it in peeps' sub-wakers: an executor's inside the task's poll
/// (a `spawn_blocking` closure's `futures::executor::block_on`) or a
/// combinator's (a `FuturesUnordered`). The task's own waker is in its
/// poll's frame, further up: kept for its cell alone, so `task_join` reads
/// who awaits its `JoinHandle`. Cold: once per such task (the slot's
/// `sought`; the search may read the whole stack).
#[cfg(feature = "diagnostics")]
#[cold]
#[inline(never)]
fn seek_cell(root: NodeId) {
    let Some(task) = tokio::task::try_id() else {
        return;
    };
    if let Some(header) = crate::task_cell::blocking_header(crate::ambient::task_number(task)) {
        // SAFETY: the header of the task polling now, whose id it carries.
        unsafe { keep_cell(root, header) };
    }
}

/// Without feature `diagnostics` no task is counted.
#[cfg(not(feature = "diagnostics"))]
fn seek_cell(_root: NodeId) {}

/// Keeps, for its cell alone (never counted), a clone of the waker of
/// plain task `root`, whose cell is at `header`: a task making a blocking
/// call (a `spawn_blocking` closure), polled now on this thread, whose
/// waits park its thread and note no waker. So `task_join` reads who
/// awaits its `JoinHandle`. Cold: once per such task.
///
/// # Safety
///
/// `header` is the header of the live tokio task `root`, polling now.
#[cold]
#[inline(never)]
pub(crate) unsafe fn keep_cell(root: NodeId, header: usize) {
    let known = task_vtable();
    if known <= FAILED {
        return;
    }
    // SAFETY: `known` is tokio's task waker vtable (a static, learned from
    // a waker of its own), whose data is a task's header: `header` is one,
    // alive as the caller says. The view is never dropped; its clone
    // takes a reference of the task's own.
    let own = unsafe {
        let vtable = &*(known as *const std::task::RawWakerVTable);
        std::mem::ManuallyDrop::new(Waker::from_raw(std::task::RawWaker::new(
            header as *const (),
            vtable,
        )))
    };
    let own = Waker::clone(&own);
    let cell = slot_of(root);
    let (dropped, old_cell) = {
        let mut slot = cell.slot.lock();
        if slot.root != root {
            cell.kept_root.store(0, Ordering::Relaxed);
            cell.kept_data.store(0, Ordering::Relaxed);
            slot.take_over(root, None, Some(own))
        } else if slot.cell.as_ref().is_some_and(|c| c.will_wake(&own)) {
            (None, Some(own))
        } else {
            (None, slot.cell.replace(own))
        }
    };
    // Dropped outside the slot's lock: it may be a task's last reference.
    drop(dropped);
    drop(old_cell);
    sweep_one();
}

/// The node id of the plain tokio task polling now, if one does (not a
/// peeps task, not a thread).
#[cfg(feature = "diagnostics")]
fn plain_task() -> Option<NodeId> {
    if crate::context::current().tracked {
        return None;
    }
    tokio::task::try_id().map(crate::ambient::foreign_id)
}

/// Without feature `diagnostics`: no task is counted.
#[cfg(not(feature = "diagnostics"))]
fn plain_task() -> Option<NodeId> {
    None
}

/// The waker below `waker`'s sub-wakers, if it is one (see
/// `subwaker::below`).
#[cfg(feature = "diagnostics")]
fn below_sub_wakers(waker: &Waker) -> Option<Waker> {
    crate::subwaker::below(waker)
}

/// Without feature `diagnostics` there are no sub-wakers.
#[cfg(not(feature = "diagnostics"))]
fn below_sub_wakers(_waker: &Waker) -> Option<Waker> {
    None
}

/// Lets go of the clone in the next slot of the sweep if its task is
/// complete (its memory is then freed as soon as tokio is done with it).
fn sweep_one() {
    let cell = &TABLE[SWEEP.fetch_add(1, Ordering::Relaxed) & (SLOTS - 1)];
    let done = cell.slot.try_lock().and_then(|mut slot| {
        let complete = slot
            .waker
            .as_ref()
            .or(slot.cell.as_ref())
            .is_some_and(|w| state_of(w) & COMPLETE != 0);
        if complete {
            slot.root = 0;
            cell.kept_root.store(0, Ordering::Relaxed);
            cell.kept_data.store(0, Ordering::Relaxed);
            Some((slot.waker.take(), slot.cell.take()))
        } else {
            None
        }
    });
    drop(done);
}

/// The state word of the task whose waker (tokio's task waker) is `w`.
fn state_of(w: &Waker) -> usize {
    // SAFETY: `w` is tokio's task waker (only those are kept, and the probe
    // reads the waker of the task it polls), whose data pointer is the
    // task's header; a kept clone holds a reference to the task, so the
    // header is alive while it is read.
    unsafe { state_at(w.data() as usize) }
}

/// The state word of the task whose header is at `header`.
///
/// # Safety
///
/// `header` is the header of a live tokio task: `repr(C)` with its `State`
/// (one `AtomicUsize`) first.
pub(crate) unsafe fn state_at(header: usize) -> usize {
    // SAFETY: as the caller says.
    unsafe { (*(header as *const AtomicUsize)).load(Ordering::Acquire) }
}

/// The waker `slot` keeps, while its task's waits are not mixed and it is
/// tokio's task waker (whose vtable is `known`).
fn kept_in(slot: &Slot, known: usize) -> Option<&Waker> {
    let waker = slot.waker.as_ref().filter(|_| !slot.mixed)?;
    (std::ptr::from_ref(waker.vtable()) as usize == known).then_some(waker)
}

/// Calls `f` with the header of plain task `root` (its waker's data) while
/// a clone of its waker is kept, under its slot's lock (the clone keeps
/// the header alive meanwhile); `None` when none is kept.
pub(crate) fn with_kept<R>(root: NodeId, f: impl FnOnce(usize) -> R) -> Option<R> {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    let cell = slot_of(root);
    if known <= FAILED || cell.kept_root.load(Ordering::Relaxed) != root {
        return None;
    }
    let slot = cell.slot.lock();
    let waker = kept_in(&slot, known).filter(|_| slot.root == root)?;
    Some(f(waker.data() as usize))
}

/// Calls `each` with the node id and the header of every plain task whose
/// waker is kept here, under its slot's lock (the clone keeps the header
/// alive meanwhile): a snapshot reads their states.
pub(crate) fn each_kept(mut each: impl FnMut(NodeId, usize)) {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    if known <= FAILED {
        return;
    }
    for cell in &TABLE {
        if cell.kept_root.load(Ordering::Relaxed) == 0 {
            continue;
        }
        let slot = cell.slot.lock();
        if let Some(waker) = kept_in(&slot, known) {
            each(slot.root, waker.data() as usize);
        }
    }
}

/// Calls `each` with the node id and the header of every plain task whose
/// own waker is kept here, counted or kept for its cell alone (a task whose
/// waits were polled in an instrumented future), under its slot's lock
/// (the clone keeps the header alive meanwhile).
pub(crate) fn each_cell(mut each: impl FnMut(NodeId, usize)) {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    if known <= FAILED {
        return;
    }
    for cell in &TABLE {
        let slot = cell.slot.lock();
        if slot.root == 0 {
            continue;
        }
        if let Some(waker) = kept_in(&slot, known).or(slot.cell.as_ref()) {
            each(slot.root, waker.data() as usize);
        }
    }
}

/// tokio's task waker vtable, once learned.
pub(crate) fn vtable() -> Option<usize> {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    (known > FAILED).then_some(known)
}

/// What a snapshot reads of a plain task's waker: see [`read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlainWaker {
    /// The task is complete: tokio has dropped its future, and with it
    /// everything the future held.
    Complete,
    /// The task is alive.
    Live {
        /// How many clones of its waker are alive besides tokio's own
        /// references and the one kept here, plus one while the task runs
        /// or is queued to run: what will wake it.
        clones: u64,
        /// It is queued to run (tokio's `NOTIFIED`): woken since its
        /// latest poll began.
        queued: bool,
        /// It is being polled now (tokio's `RUNNING`): a `spawn_blocking`
        /// closure all along, any task for a moment.
        running: bool,
    },
}

/// The waker of plain task `root`, read from its task's state. `None` when
/// not known (no wait noted, one polled with another waker).
pub(crate) fn read(root: NodeId) -> Option<PlainWaker> {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    if known <= FAILED {
        return None;
    }
    let slot = slot_of(root).slot.lock();
    if slot.root != root {
        return None;
    }
    let Some(waker) = kept_in(&slot, known) else {
        // A task kept for its cell alone still says whether it is done.
        let cell = slot.cell.as_ref()?;
        return (state_of(cell) & COMPLETE != 0).then_some(PlainWaker::Complete);
    };
    let state = state_of(waker);
    if state & COMPLETE != 0 {
        return Some(PlainWaker::Complete);
    }
    if state & CANCELLED != 0 {
        // Aborted: the runtime will poll it once more, to drop it.
        return Some(PlainWaker::Live {
            clones: u64::from(u32::MAX),
            queued: true,
            running: state & RUNNING != 0,
        });
    }
    // The runtime's list, the `JoinHandle`, the clone kept here.
    let own = 2 + usize::from(state & JOIN_INTEREST != 0);
    Some(PlainWaker::Live {
        clones: (state >> REF_SHIFT).saturating_sub(own) as u64,
        queued: state & NOTIFIED != 0,
        running: state & RUNNING != 0,
    })
}

/// tokio's task waker vtable address, learned on first use from a task of
/// a current-thread runtime of peeps' own, on a thread of its own (tokio
/// has one such vtable for every runtime). The task also checks the state
/// bits this module reads: running, interested in its join, not complete,
/// and as many references as that accounts for.
fn task_vtable() -> usize {
    let known = TASK_VTABLE.load(Ordering::Relaxed);
    if known != UNKNOWN {
        return known;
    }
    let learned = std::thread::Builder::new()
        .name("peeps-waker-probe".into())
        .spawn(probe)
        .ok()
        .and_then(|t| t.join().ok())
        .flatten()
        .filter(|&v| v > FAILED)
        .unwrap_or(FAILED);
    TASK_VTABLE.store(learned, Ordering::Relaxed);
    learned
}

/// Polls a task of a runtime of its own and returns its waker's vtable when
/// the task's state reads as this module expects.
fn probe() -> Option<usize> {
    let rt = tokio::runtime::Builder::new_current_thread().build().ok()?;
    rt.block_on(async {
        let task = tokio::spawn(std::future::poll_fn(|cx| {
            let w = cx.waker();
            // Running, its `JoinHandle` alive: three references (its list's,
            // the `JoinHandle`'s, the running poll's), no clone yet.
            let state = state_of(w);
            let shape = state & (RUNNING | COMPLETE | JOIN_INTEREST | CANCELLED)
                == RUNNING | JOIN_INTEREST
                && state >> REF_SHIFT == 3;
            let clone = w.clone();
            let counts = state_of(w) >> REF_SHIFT == 4;
            drop(clone);
            Poll::Ready((shape && counts).then(|| std::ptr::from_ref(w.vtable()) as usize))
        }));
        task.await.ok().flatten()
    })
}
