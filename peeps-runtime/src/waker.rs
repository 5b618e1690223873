//! Waker accounting (DESIGN.md §4).
//!
//! A task spawned through peeps polls its future with a *tracked* waker: the
//! task's own waker wrapped once, whose clones are counted in the task entry
//! (`live`). An instrumented wait polls the resource with a *tagged* view of
//! that waker: clones made from it count as `live` and as `accounted`. So at
//! snapshot time `live - accounted` is the number of clones held by things
//! peeps cannot see (timers, sockets, uninstrumented futures): if it is above
//! zero, something outside the graph may still wake the task.
//!
//! The wakers point at the task entry itself (an `Arc<TaskEntry>`) and need
//! no allocation. While the task future lives, its own reference keeps the
//! entry alive for every clone, so a clone or drop is one atomic add on the
//! count word and touches no reference count; when the future goes with
//! clones still live, that reference passes to them and the last one gives
//! it back (`WakerCounts` in the task module).

use crate::task::{KeptByClones, TaskEntry};
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::task::{RawWaker, RawWakerVTable, Waker};

static TRACKED: RawWakerVTable = RawWakerVTable::new(clone_tracked, wake, wake_by_ref, drop_tracked);
static TAGGED: RawWakerVTable = RawWakerVTable::new(clone_tagged, wake_tagged, wake_by_ref, drop_tagged);

/// A borrowed tracked waker of `entry`, for the task's poll. Dropping the
/// view does nothing; clones of it are counted.
pub(crate) fn tracked_view(entry: &Arc<TaskEntry>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(Arc::as_ptr(entry).cast(), &TRACKED);
    // SAFETY: the vtable functions uphold the RawWaker contract for a data
    // pointer obtained from `Arc<TaskEntry>`; the view is never dropped (the
    // ManuallyDrop), and it lives only during the poll, while `entry` is
    // kept alive by the task future.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// A tagged view of `waker` for an instrumented wait, or `None` when
/// `waker` is not a peeps task's waker (a plain tokio task, `block_on`, or a
/// combinator's own waker): then the wait must use `waker` as it is.
///
/// The view borrows from `waker`'s task entry; it must not outlive `waker`.
///
/// A sub-waker (an instrumented future's, inside a combinator: see
/// [`crate::subwaker`]) is tagged the same way, on its own counts.
#[inline]
pub(crate) fn tagged(waker: &Waker) -> Option<ManuallyDrop<Waker>> {
    if is_task_waker(waker) {
        let raw = RawWaker::new(waker.data(), &TAGGED);
        // SAFETY: same data pointer as `waker`, which is alive for the view's
        // use; the view is never dropped.
        Some(ManuallyDrop::new(unsafe { Waker::from_raw(raw) }))
    } else {
        crate::subwaker::tagged(waker)
    }
}

/// Whether `waker` is a peeps task's own waker (tracked or tagged), as its
/// task's poll hands it down, not a combinator's.
#[inline]
pub(crate) fn is_task_waker(waker: &Waker) -> bool {
    task_vtable_tagged(std::ptr::from_ref(waker.vtable()) as usize).is_some()
}

/// Whether a waker whose vtable is at `vtable` is a peeps task's own, and
/// if so whether it is tagged (a clone already counted as accounted) or
/// tracked; its data is then the task's entry. For wakers read as words
/// from memory peeps does not own (a tokio `JoinHandle`'s), and for
/// [`is_task_waker`] (on the poll path: two compares).
#[inline]
pub(crate) fn task_vtable_tagged(vtable: usize) -> Option<bool> {
    if vtable == std::ptr::from_ref(&TRACKED) as usize {
        Some(false)
    } else if vtable == std::ptr::from_ref(&TAGGED) as usize {
        Some(true)
    } else {
        None
    }
}

/// Whether `waker` is one peeps counts (a task's or a sub-waker).
#[inline]
pub(crate) fn is_counted(waker: &Waker) -> bool {
    is_task_waker(waker) || crate::subwaker::is_sub(waker)
}

/// # Safety
/// `p` comes from `Arc::<TaskEntry>::as_ptr` and the entry is alive.
unsafe fn entry<'a>(p: *const ()) -> &'a TaskEntry {
    // SAFETY: by the caller's contract.
    unsafe { &*p.cast::<TaskEntry>() }
}

/// Counts a new clone of `p`'s wakers. A clone is made from a live clone
/// or from the task's own view while the task future (and its reference)
/// lives, so the entry is alive.
///
/// # Safety
/// `p` is a live `Arc<TaskEntry>` pointer (vtable contract).
#[inline]
unsafe fn count_clone(p: *const (), tagged: bool) {
    // SAFETY: by the caller's contract.
    unsafe { entry(p) }.wakers.cloned(tagged);
}

/// Uncounts a clone of `p`'s wakers, giving the reference the task passed
/// to its clones back when this was the last clone of a finished task.
///
/// # Safety
/// `p` is an owned clone made by `count_clone`.
#[inline]
unsafe fn count_drop(p: *const (), tagged: bool) {
    // SAFETY: by the caller's contract.
    unsafe { TaskEntry::clone_gone(p.cast::<TaskEntry>(), tagged) };
}

unsafe fn clone_tracked(p: *const ()) -> RawWaker {
    // SAFETY: p is a live Arc<TaskEntry> pointer (vtable contract).
    unsafe { count_clone(p, false) };
    RawWaker::new(p, &TRACKED)
}

unsafe fn clone_tagged(p: *const ()) -> RawWaker {
    // SAFETY: as in clone_tracked.
    unsafe { count_clone(p, true) };
    RawWaker::new(p, &TAGGED)
}

unsafe fn wake_by_ref(p: *const ()) {
    // SAFETY: p is live (vtable contract).
    unsafe { entry(p) }.wake();
}

unsafe fn wake(p: *const ()) {
    // SAFETY: an owned clone: wake, then release it.
    unsafe {
        wake_by_ref(p);
        drop_tracked(p);
    }
}

unsafe fn wake_tagged(p: *const ()) {
    // SAFETY: an owned tagged clone: wake, then release it.
    unsafe {
        wake_by_ref(p);
        drop_tagged(p);
    }
}

unsafe fn drop_tracked(p: *const ()) {
    // SAFETY: an owned clone made by clone_tracked.
    unsafe { count_drop(p, false) };
}

unsafe fn drop_tagged(p: *const ()) {
    // SAFETY: an owned clone made by clone_tagged.
    unsafe { count_drop(p, true) };
}
