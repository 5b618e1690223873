//! The wakers of `block_on` threads, counted.
//!
//! A peeps task counts the clones of its waker ([`crate::waker`]); a thread
//! that drives a future with tokio's `Runtime::block_on` or
//! `Handle::block_on` (a `#[tokio::main]` body) has tokio's parked-thread
//! waker, which peeps does not make. That waker is an `Arc` (tokio's
//! `park::Inner`, turned into a raw waker with `Arc::into_raw`), so the
//! number of its clones alive is the `Arc`'s strong count: one for the
//! thread's parker, one for the waker `block_on` polls with, one for the
//! clone kept here, and one for each thing that will wake the thread (a
//! pending wait on a tokio primitive, a timer, a socket, `ctrl_c`).
//!
//! Each thread root's first pending wait on a peeps primitive keeps a clone
//! of the waker it was polled with (and so does its first wait ready at
//! once, when tokio's parked-thread waker polled it: a `main` that only
//! sent before it awaits a plain task); a snapshot reads how many others are
//! alive (`waker_clones` on the thread's node). When that is more than the
//! thread's pending peeps waits, something peeps cannot see (a socket in
//! the same `select!`) may wake it, as for a peeps task with an
//! unaccounted clone. Only a waker whose vtable is tokio's parked-thread
//! one is read: the vtable is learned once, from a `Handle::block_on` on a
//! thread of peeps' own. A thread whose waits were polled with any other
//! waker (a current-thread runtime's scheduler, a combinator's, another
//! executor's) is never counted: its waits are taken at their word, as
//! before.
//!
//! Compiled in both builds: without feature `diagnostics` nothing notes a
//! waker, so no thread is counted.
#![cfg_attr(not(feature = "diagnostics"), allow(dead_code))]

use parking_lot::Mutex;
use peeps_graph::NodeId;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

/// The address of tokio's parked-thread waker vtable; [`UNKNOWN`] before it
/// was learned, [`FAILED`] when learning it failed.
static PARK_VTABLE: AtomicUsize = AtomicUsize::new(UNKNOWN);
const UNKNOWN: usize = 0;
const FAILED: usize = 1;

/// How many thread roots are kept; past that, the oldest is forgotten.
const KEPT: usize = 64;

/// The clones of tokio's own a `block_on` waker has besides the ones that
/// wake it: the thread's parker and `block_on`'s own waker, and the one
/// kept here.
const BASELINE: usize = 3;

/// One thread root's waker.
struct Kept {
    root: NodeId,
    /// A clone of the waker its waits were polled with, while it is
    /// tokio's parked-thread one (no other waker is kept: a user's waker
    /// must go when the user's future lets it go).
    waker: Option<Waker>,
    /// One of its waits was polled with a waker that is not tokio's
    /// parked-thread one: its clones are not all in this count.
    mixed: bool,
}

static THREADS: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

thread_local! {
    /// The root, waker data and vtable this thread noted last: a wait that
    /// goes pending again with the same waker (a `block_on` loop's next
    /// turn) takes no lock.
    static LAST: Cell<(NodeId, usize, usize)> = const { Cell::new((0, 0, 0)) };
}

/// Notes that thread root `root` (or a `spawn_blocking` closure's task
/// root, its waits driven by `Handle::block_on`) began a pending wait
/// polled with `waker`.
/// Cold: once per wait that goes pending on a thread outside any task.
#[cold]
#[inline(never)]
pub(crate) fn note(root: NodeId, waker: &Waker) {
    let seen = (
        root,
        waker.data() as usize,
        std::ptr::from_ref(waker.vtable()) as usize,
    );
    if LAST
        .try_with(|last| last.replace(seen) == seen)
        .unwrap_or(false)
    {
        return;
    }
    let park = park_vtable();
    let is_park = park > FAILED && std::ptr::from_ref(waker.vtable()) as usize == park;
    let mut threads = THREADS.lock();
    if let Some(k) = threads.iter_mut().find(|k| k.root == root) {
        if !is_park {
            k.mixed = true;
            k.waker = None;
        } else if !k.mixed && !k.waker.as_ref().is_some_and(|w| w.will_wake(waker)) {
            // Another `block_on` on the same thread: its own waker.
            k.waker = Some(waker.clone());
        }
        return;
    }
    if is_park {
        // A root noted before with this thread's waker (a `spawn_blocking`
        // closure that has ended: a thread runs one at a time) keeps a
        // clone of it, which would count as one more for this root.
        threads.retain(|k| !k.waker.as_ref().is_some_and(|w| w.will_wake(waker)));
    }
    if threads.len() == KEPT {
        threads.remove(0);
    }
    threads.push(Kept {
        root,
        waker: is_park.then(|| waker.clone()),
        mixed: !is_park,
    });
}

/// Notes, as [`note`] does, the `block_on` waker of the current thread's
/// root when a wait on a peeps primitive was ready at once: a `main` that
/// only sent or locked before it awaits a plain task's `JoinHandle` (which
/// `task_join` matches by this waker) is counted too. One load and compare
/// on the path of a wait ready outside a peeps task; a thread's later
/// ready waits with the waker noted take no lock.
#[inline]
pub(crate) fn note_ready(waker: &Waker) {
    if std::ptr::from_ref(waker.vtable()) as usize == PARK_VTABLE.load(Ordering::Relaxed) {
        note_ready_slow(waker);
    }
}

/// [`note_ready`] once the waker is tokio's parked-thread one.
#[cold]
#[inline(never)]
fn note_ready_slow(waker: &Waker) {
    #[cfg(feature = "diagnostics")]
    if let Some(root) = crate::ambient::thread_root_id() {
        note(root, waker);
    }
    #[cfg(not(feature = "diagnostics"))]
    let _ = waker;
}

/// Learns tokio's parked-thread waker vtable if it is not known yet (a
/// thread root was just made): [`note_ready`] compares with it. Cold.
#[cold]
pub(crate) fn learn() {
    if PARK_VTABLE.load(Ordering::Relaxed) == UNKNOWN {
        park_vtable();
    }
}

/// How many clones of thread root `root`'s `block_on` waker are alive
/// besides tokio's own and the one kept here: what will wake it. `None`
/// when not known (no wait noted, or one polled with another waker).
pub(crate) fn clones(root: NodeId) -> Option<u64> {
    let park = PARK_VTABLE.load(Ordering::Relaxed);
    if park <= FAILED {
        return None;
    }
    let threads = THREADS.lock();
    let k = threads.iter().find(|k| k.root == root && !k.mixed)?;
    let waker = k.waker.as_ref()?;
    if std::ptr::from_ref(waker.vtable()) as usize != park {
        return None;
    }
    // SAFETY: the vtable is tokio's parked-thread one, whose data pointer
    // is `Arc::into_raw` of its `Arc<park::Inner>` (tokio's
    // `unparker_to_raw_waker`; `Inner` is word-aligned). The clone kept
    // here keeps the `Arc` alive while it is read.
    let strong = unsafe { arc_strong_count(waker) };
    Some(strong.saturating_sub(BASELINE) as u64)
}

/// The strong count of the `Arc` behind `waker`: std's `ArcInner` is
/// `repr(C)` with the strong count first and the weak count next, so it
/// is two words before the data.
///
/// # Safety
///
/// `waker`'s data pointer must be `Arc::into_raw` of a live `Arc` of a
/// word-aligned value (the caller holds the waker, so it stays alive).
pub(crate) unsafe fn arc_strong_count(waker: &Waker) -> usize {
    // SAFETY: as the caller promises.
    unsafe {
        let data = waker.data().cast::<AtomicUsize>();
        (*data.sub(2)).load(Ordering::Acquire)
    }
}

/// Calls `each` with each thread root whose waker is counted here and that
/// waker's data pointer, and returns the parked-thread waker's vtable
/// (`None`, calling nothing, before it is learned).
pub(crate) fn each_kept(mut each: impl FnMut(NodeId, usize)) -> Option<usize> {
    let park = PARK_VTABLE.load(Ordering::Relaxed);
    if park <= FAILED {
        return None;
    }
    for k in THREADS.lock().iter().filter(|k| !k.mixed) {
        if let Some(w) = &k.waker
            && std::ptr::from_ref(w.vtable()) as usize == park
        {
            each(k.root, w.data() as usize);
        }
    }
    Some(park)
}

/// Whether `vtable` is tokio's parked-thread waker's (the one of a
/// `block_on`), learning it on first use.
pub(crate) fn is_park(vtable: usize) -> bool {
    let park = park_vtable();
    park > FAILED && vtable == park
}

/// The parked-thread waker's vtable address, learned on first use from a
/// `Handle::block_on` of the current runtime on a thread of peeps' own.
fn park_vtable() -> usize {
    let known = PARK_VTABLE.load(Ordering::Relaxed);
    if known != UNKNOWN {
        return known;
    }
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        // Not in a tokio runtime (another executor): ask again next time.
        return UNKNOWN;
    };
    let learned = Some(handle)
        .and_then(|handle| {
            std::thread::Builder::new()
                .name("peeps-waker-probe".into())
                .spawn(move || {
                    handle.block_on(std::future::poll_fn(|cx| {
                        Poll::Ready(std::ptr::from_ref(cx.waker().vtable()) as usize)
                    }))
                })
                .ok()?
                .join()
                .ok()
        })
        .filter(|&v| v > FAILED)
        .unwrap_or(FAILED);
    PARK_VTABLE.store(learned, Ordering::Relaxed);
    learned
}
