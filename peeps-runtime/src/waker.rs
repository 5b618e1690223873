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
//! The wakers point at the task entry itself (an `Arc<TaskEntry>`), so a
//! clone costs one reference-count increment plus one counter increment
//! (both counts share one word),
//! and needs no allocation.

use crate::task::TaskEntry;
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
#[inline]
pub fn tagged(waker: &Waker) -> Option<ManuallyDrop<Waker>> {
    let vtable = waker.vtable();
    if std::ptr::eq(vtable, &TRACKED) || std::ptr::eq(vtable, &TAGGED) {
        let raw = RawWaker::new(waker.data(), &TAGGED);
        // SAFETY: same data pointer as `waker`, which is alive for the view's
        // use; the view is never dropped.
        Some(ManuallyDrop::new(unsafe { Waker::from_raw(raw) }))
    } else {
        None
    }
}

/// # Safety
/// `p` comes from `Arc::<TaskEntry>::as_ptr` and the entry is alive.
unsafe fn entry<'a>(p: *const ()) -> &'a TaskEntry {
    // SAFETY: by the caller's contract.
    unsafe { &*p.cast::<TaskEntry>() }
}

unsafe fn clone_tracked(p: *const ()) -> RawWaker {
    // SAFETY: p is a live Arc<TaskEntry> pointer (vtable contract).
    unsafe {
        Arc::increment_strong_count(p.cast::<TaskEntry>());
        entry(p).wakers.cloned(false);
    }
    RawWaker::new(p, &TRACKED)
}

unsafe fn clone_tagged(p: *const ()) -> RawWaker {
    // SAFETY: as in clone_tracked.
    unsafe {
        Arc::increment_strong_count(p.cast::<TaskEntry>());
        entry(p).wakers.cloned(true);
    }
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
    unsafe {
        entry(p).wakers.dropped(false);
        Arc::decrement_strong_count(p.cast::<TaskEntry>());
    }
}

unsafe fn drop_tagged(p: *const ()) {
    // SAFETY: an owned clone made by clone_tagged.
    unsafe {
        entry(p).wakers.dropped(true);
        Arc::decrement_strong_count(p.cast::<TaskEntry>());
    }
}
