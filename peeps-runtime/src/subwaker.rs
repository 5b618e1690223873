//! Waker accounting inside combinators (DESIGN.md §4, "combinators").
//!
//! A peeps task counts the clones of its waker and which of them its
//! instrumented waits hold ([`crate::waker`]). A combinator that polls each
//! of its futures with a waker of its own — `FuturesUnordered`,
//! `buffer_unordered`, `buffered`, a large `join_all` — holds one clone of
//! the task's waker for itself and hands its futures *sub-wakers* that
//! forward to it. That one clone is unaccounted, so the task "may still
//! wake" even when every future inside waits on something peeps sees.
//!
//! An instrumented future (`#[peeps::instrument]`, `peeps!`) polled inside
//! a peeps task with a waker that is not the task's wraps it once more: its
//! futures get a [`SubWaker`] view that forwards to the combinator's waker
//! and counts its clones, all of them and those its instrumented waits
//! hold, exactly as the task does. The snapshot says them on the future's
//! node (`sub_waker`, `waker_clones`, `waker_clones_accounted`,
//! `waker_group`: which combinator's wakers it was given). The analysis
//! then counts the task's unaccounted clones as the combinators' own when
//! every future they drive accounts for all its clones; a future that
//! holds a clone peeps cannot account for (a timer, a socket) still makes
//! the task one that may wake.
//!
//! A plain `async` block inside a combinator has no node to count on: its
//! wake sources stay unseen, and the task stays one that may wake.

use parking_lot::Mutex;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::task::{RawWaker, RawWakerVTable, Waker};

/// The sub-waker of one instrumented future polled inside a combinator.
#[derive(Debug, Default)]
pub(crate) struct SubWaker {
    /// Live clones in the low half, those held by instrumented waits above.
    counts: AtomicU64,
    /// The combinator's waker, which wakes are forwarded to.
    forward: Mutex<Option<Waker>>,
    /// The address of the combinator waker's vtable: futures of one
    /// combinator share it.
    group: AtomicUsize,
}

static SUB: RawWakerVTable = RawWakerVTable::new(clone_plain, wake_plain, wake_by_ref, drop_plain);
static SUB_TAGGED: RawWakerVTable = RawWakerVTable::new(clone_tagged, wake_tagged, wake_by_ref, drop_tagged);

impl SubWaker {
    /// Keeps `waker` (the combinator's) to forward wakes to; clones it only
    /// when it changed.
    pub(crate) fn remember(&self, waker: &Waker) {
        let mut forward = self.forward.lock();
        if !forward.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *forward = Some(waker.clone());
            self.group.store(std::ptr::from_ref(waker.vtable()) as usize, Relaxed);
        }
    }

    /// `(live, accounted)` clones now.
    pub(crate) fn counts(&self) -> (u64, u64) {
        let v = self.counts.load(Relaxed);
        (v & 0xFFFF_FFFF, v >> 32)
    }

    /// Which combinator's wakers this future was given.
    pub(crate) fn group(&self) -> usize {
        self.group.load(Relaxed)
    }
}

/// A borrowed sub-waker of `sub`, for one poll of its future; clones of it
/// are counted.
pub(crate) fn view(sub: &Arc<SubWaker>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(Arc::as_ptr(sub).cast(), &SUB);
    // SAFETY: the vtable upholds the RawWaker contract for a pointer from
    // `Arc<SubWaker>` (each clone owns one reference); the view is never
    // dropped and lives only during the poll, while `sub` is alive.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// A tagged view of `waker` if it is a sub-waker (see `waker::tagged`).
pub(crate) fn tagged(waker: &Waker) -> Option<ManuallyDrop<Waker>> {
    let vtable = waker.vtable();
    if std::ptr::eq(vtable, &SUB) || std::ptr::eq(vtable, &SUB_TAGGED) {
        let raw = RawWaker::new(waker.data(), &SUB_TAGGED);
        // SAFETY: the same data pointer as `waker`, alive for the view's use.
        Some(ManuallyDrop::new(unsafe { Waker::from_raw(raw) }))
    } else {
        None
    }
}

/// The waker below `waker`'s chain of sub-wakers (the one the outermost
/// combinator, or the task, was polled with): a clone of it; `None` when
/// `waker` is no sub-waker or one has forwarded to nothing yet.
pub(crate) fn below(waker: &Waker) -> Option<Waker> {
    let mut w = is_sub(waker).then(|| waker.clone())?;
    // A chain is as deep as the instrumented futures nested in combinators.
    for _ in 0..64 {
        if !is_sub(&w) {
            return Some(w);
        }
        // SAFETY: a sub-waker's data is a live `Arc<SubWaker>` (its clone
        // `w` holds a reference).
        let next = unsafe { sub(w.data()) }.forward.lock().clone()?;
        w = next;
    }
    None
}

/// Whether `waker` is a sub-waker.
pub(crate) fn is_sub(waker: &Waker) -> bool {
    let vtable = waker.vtable();
    std::ptr::eq(vtable, &SUB) || std::ptr::eq(vtable, &SUB_TAGGED)
}

const fn unit(tagged: bool) -> u64 {
    if tagged { 1 | 1 << 32 } else { 1 }
}

/// # Safety
/// `p` comes from `Arc::<SubWaker>::as_ptr` and the `SubWaker` is alive.
unsafe fn sub<'a>(p: *const ()) -> &'a SubWaker {
    // SAFETY: by the caller's contract.
    unsafe { &*p.cast::<SubWaker>() }
}

/// # Safety
/// `p` is a live `Arc<SubWaker>` pointer (vtable contract).
unsafe fn clone_counted(p: *const (), tagged: bool, vtable: &'static RawWakerVTable) -> RawWaker {
    // SAFETY: a clone owns a reference of its own.
    unsafe {
        Arc::increment_strong_count(p.cast::<SubWaker>());
        sub(p).counts.fetch_add(unit(tagged), Relaxed);
    }
    RawWaker::new(p, vtable)
}

/// # Safety
/// `p` is an owned clone made by `clone_counted`.
unsafe fn drop_counted(p: *const (), tagged: bool) {
    // SAFETY: the clone's own reference, given back last.
    unsafe {
        sub(p).counts.fetch_sub(unit(tagged), Relaxed);
        Arc::decrement_strong_count(p.cast::<SubWaker>());
    }
}

unsafe fn wake_by_ref(p: *const ()) {
    // SAFETY: p is live (vtable contract). The combinator's wake runs out
    // of the lock.
    let forward = unsafe { sub(p) }.forward.lock().clone();
    if let Some(w) = forward {
        w.wake();
    }
}

unsafe fn clone_plain(p: *const ()) -> RawWaker {
    // SAFETY: vtable contract.
    unsafe { clone_counted(p, false, &SUB) }
}

unsafe fn clone_tagged(p: *const ()) -> RawWaker {
    // SAFETY: vtable contract.
    unsafe { clone_counted(p, true, &SUB_TAGGED) }
}

unsafe fn drop_plain(p: *const ()) {
    // SAFETY: vtable contract.
    unsafe { drop_counted(p, false) }
}

unsafe fn drop_tagged(p: *const ()) {
    // SAFETY: vtable contract.
    unsafe { drop_counted(p, true) }
}

unsafe fn wake_plain(p: *const ()) {
    // SAFETY: an owned clone: wake, then release it.
    unsafe {
        wake_by_ref(p);
        drop_plain(p);
    }
}

unsafe fn wake_tagged(p: *const ()) {
    // SAFETY: an owned tagged clone: wake, then release it.
    unsafe {
        wake_by_ref(p);
        drop_tagged(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize as Counter;
    use std::task::Wake;

    struct Count(Counter);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Relaxed);
        }
    }

    #[test]
    fn clones_are_counted_tagged_ones_apart_and_wakes_reach_the_combinator() {
        let woken = Arc::new(Count(Counter::new(0)));
        let outer = Waker::from(woken.clone());
        let s = Arc::new(SubWaker::default());
        s.remember(&outer);
        let v = view(&s);
        let plain = (*v).clone();
        let t = tagged(&v).expect("a sub-waker");
        let held = (*t).clone();
        assert_eq!(s.counts(), (2, 1));
        assert!(is_sub(&plain) && is_sub(&held));
        held.wake_by_ref();
        plain.wake();
        assert_eq!(woken.0.load(Relaxed), 2);
        assert_eq!(s.counts(), (1, 1));
        drop(held);
        assert_eq!(s.counts(), (0, 0));
        assert_eq!(Arc::strong_count(&s), 1);
        assert_ne!(s.group(), 0);
    }
}
