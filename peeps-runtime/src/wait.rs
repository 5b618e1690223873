//! `waits_on` edges: a pending wait, from the waiter to what it waits on.
//!
//! The thing waited on (a resource, a task being joined) owns a [`WaitList`];
//! a wait future owns a [`WaitEdge`] that puts one record in that list the
//! first time the wait returns `Pending`, and takes it out when the wait
//! completes or the wait future is dropped (cancellation). An uncontended
//! wait touches nothing; the first four pending waits on a node take
//! lock-free slots (a compare-and-swap and three stores, a store to end),
//! and only further ones the list's lock.

use crate::ambient::AmbientHandle;
use crate::clock;
use crate::context;
use crate::node::Describe;
use crate::slab::Slab;
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, NodeId, attr};
use std::sync::Arc;
use std::panic::Location;
use crate::loom::sync::atomic::{AtomicPtr, AtomicU8, AtomicU64, Ordering, fence};
use std::task::{Context, Poll};

pub use peeps_graph::Op;

/// Where a wait was made: the source line of the call (`lock()`,
/// `recv()`, ...) whose future waits, when the call site is known.
pub type Site = Option<&'static Location<'static>>;

/// One recorded wait, as a snapshot says it.
#[derive(Debug, Clone, Copy)]
struct WaitRecord {
    waiter: NodeId,
    op: Op,
    since: u64,
    /// The number of its task's poll it was last polled in, when it was
    /// polled with its task's own waker (0: unknown).
    epoch: u64,
    /// Its place in the resource's queue (rising with each new wait).
    seq: u64,
    at: Site,
}

/// The epoch of a wait polled inside a peeps task with a waker peeps does
/// not count (see `WaitEdge::poll_wait_kept`).
const FOREIGN_WAKER: u64 = u64::MAX;
/// The epochs of waits made by a blocking call (see [`WaitEdge::begin`]):
/// never polled, its thread parked in it; this plus the parked thread's OS
/// id (0: not known), below [`REPOLLED_ROOT`].
const BLOCKING_CALL: u64 = 1 << 63;

/// Added to a blocking call's epoch when the call gives up by itself at a
/// deadline (`try_lock_for`): see [`WaitEdge::begin_timed`].
const TIMED_CALL: u64 = 1 << 32;

/// The OS thread parked in the blocking call whose wait has epoch `epoch`
/// (0 when not known), and whether the call gives up at a deadline; `None`
/// for a wait of no blocking call.
fn blocking_call(epoch: u64) -> Option<(u64, bool)> {
    let call = epoch.checked_sub(BLOCKING_CALL).filter(|&c| c < 2 * TIMED_CALL)?;
    Some((call & u64::from(u32::MAX), call & TIMED_CALL != 0))
}
/// The epoch of a thread root's wait polled again, pending, after the poll
/// that made it (see `crate::raced`): shown as no epoch.
const REPOLLED_ROOT: u64 = u64::MAX - 2;

/// How many waits a list records without its lock, by default (a
/// resource's list); a list of waits that come one at a time (a task's
/// joins: its one `JoinHandle`) has one such slot.
pub const FAST_WAITS: usize = 4;

/// A waiter id marking a lock-free slot being filled (not yet shown).
const CLAIMING: u64 = u64::MAX;

/// One lock-free wait slot.
#[derive(Debug)]
struct WaitSlot {
    /// Waiter node id; 0 when free, [`CLAIMING`] while being filled.
    waiter: AtomicU64,
    /// The op's `repr(u8)`.
    op: AtomicU8,
    since: AtomicU64,
    epoch: AtomicU64,
    seq: AtomicU64,
    at: AtomicPtr<Location<'static>>,
}

/// How many times a snapshot reads a slot whose wait changes under it
/// before it leaves it out (a wait that changed during the read just began:
/// it is too young to matter to a deadlock).
const READ_TRIES: usize = 3;

impl WaitSlot {
    /// The wait in this slot as one record, and whether its op is known:
    /// `None` when the slot is free or being filled, or changed under
    /// every read tried.
    ///
    /// A sequence lock on the waiter word: the fields read belong to the
    /// wait whose waiter was read when the waiter still reads the same
    /// after them, since a new wait claims the slot before it writes a
    /// field (see [`WaitList::insert`]). A later wait of the same waiter
    /// in the same slot can pass for the one first read: the record is
    /// then that waiter's, with fields of either of its two waits.
    fn read(&self) -> Option<(WaitRecord, bool)> {
        for _ in 0..READ_TRIES {
            let waiter = self.waiter.load(Ordering::Acquire);
            if waiter == 0 || waiter == CLAIMING {
                return None;
            }
            let op = Op::from_repr(self.op.load(Ordering::Relaxed));
            let r = WaitRecord {
                waiter,
                op: op.unwrap_or(Op::Lock),
                since: self.since.load(Ordering::Relaxed),
                epoch: self.epoch.load(Ordering::Relaxed),
                seq: self.seq.load(Ordering::Relaxed),
                at: site_of(self.at.load(Ordering::Relaxed)),
            };
            // Pairs with the fence after a claim: a field written after it
            // was read here, so the waiter read next is the claim's or later.
            fence(Ordering::Acquire);
            if self.waiter.load(Ordering::Relaxed) == waiter {
                return Some((r, op.is_some()));
            }
        }
        None
    }

    #[inline]
    #[cfg(not(loom))]
    const fn free() -> Self {
        WaitSlot {
            waiter: AtomicU64::new(0),
            op: AtomicU8::new(0),
            since: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            seq: AtomicU64::new(0),
            at: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    #[cfg(loom)]
    fn free() -> Self {
        WaitSlot {
            waiter: AtomicU64::new(0),
            op: AtomicU8::new(0),
            since: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            seq: AtomicU64::new(0),
            at: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    /// `N` free slots, written in place (`array::from_fn` built them on the
    /// stack and copied them twice, `memcpy`, into a task's entry).
    #[inline]
    #[cfg(not(loom))]
    fn free_slots<const N: usize>() -> [Self; N] {
        [const { WaitSlot::free() }; N]
    }

    #[cfg(loom)]
    fn free_slots<const N: usize>() -> [Self; N] {
        std::array::from_fn(|_| WaitSlot::free())
    }
}

#[inline]
fn site_ptr(at: Site) -> *mut Location<'static> {
    at.map_or(std::ptr::null_mut(), |l| std::ptr::from_ref(l).cast_mut())
}

fn site_of(p: *mut Location<'static>) -> Site {
    // SAFETY: the slot only ever holds null or a `&'static Location`.
    unsafe { p.cast_const().as_ref() }
}

/// The pending waits on one node: the first `N` in lock-free slots (a
/// contended lock's waiters cost no lock of peeps' own), the rest in a
/// list behind a lock.
#[derive(Debug)]
pub struct WaitList<const N: usize = FAST_WAITS> {
    target: NodeId,
    fast: [WaitSlot; N],
    records: Mutex<Slab<WaitRecord>>,
    /// Numbers the waits in the order they queued.
    next_seq: AtomicU64,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl<const N: usize> std::panic::UnwindSafe for WaitList<N> {}
impl<const N: usize> std::panic::RefUnwindSafe for WaitList<N> {}

impl<const N: usize> WaitList<N> {
    /// An empty list of waits on node `target`.
    #[inline]
    pub fn new(target: NodeId) -> Self {
        WaitList {
            target,
            fast: WaitSlot::free_slots(),
            records: Mutex::new(Slab::new()),
            next_seq: AtomicU64::new(1),
        }
    }

    /// Adds a `waits_on` edge per pending wait; returns how many.
    pub fn describe(&self, out: &mut Describe<'_>) -> usize {
        let mut n = 0;
        for (r, with_op) in self.fast.iter().filter_map(WaitSlot::read) {
            self.edge(out, &r, with_op);
            n += 1;
        }
        let records = self.records.lock();
        for r in records.iter() {
            self.edge(out, r, true);
        }
        n + records.len()
    }

    fn edge(&self, out: &mut Describe<'_>, r: &WaitRecord, with_op: bool) {
        let mut attrs = Attrs::new();
        if with_op {
            attrs.insert(attr::OP.into(), r.op.as_str().into());
        }
        if r.epoch == FOREIGN_WAKER {
            attrs.insert(attr::FOREIGN_WAKER.into(), true.into());
        } else if let Some((thread, timed)) = blocking_call(r.epoch) {
            attrs.insert(attr::BLOCKING_CALL.into(), true.into());
            if thread != 0 {
                attrs.insert(attr::OS_THREAD.into(), thread.into());
            }
            if timed {
                attrs.insert(attr::TIMED.into(), true.into());
            }
        } else if r.epoch != 0 && r.epoch != REPOLLED_ROOT {
            attrs.insert(attr::POLLED_IN.into(), r.epoch.into());
        }
        attrs.insert(attr::QUEUED.into(), r.seq.into());
        if let Some(at) = r.at {
            attrs.insert(attr::AT.into(), format!("{}:{}:{}", at.file(), at.line(), at.column()).into());
        }
        out.edge(r.waiter, self.target, EdgeKind::WaitsOn, r.since, attrs);
    }

    /// Records a wait; returns its place.
    #[inline]
    fn insert(&self, waiter: NodeId, op: Op, since: u64, epoch: u64, at: Site) -> Place {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        // Look before claiming: a failed compare-and-swap on the line every
        // waiter shares costs as much as a successful one. Start at a slot
        // chosen by the waiter, so waiters spread over the slots.
        for k in 0..N {
            let i = (waiter as usize).wrapping_add(k) % N;
            let f = &self.fast[i];
            if f.waiter.load(Ordering::Relaxed) == 0
                && f.waiter.compare_exchange(0, CLAIMING, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                // A snapshot that reads a field written below then sees the
                // claim (or later) when it reads the waiter again: it cannot
                // take them for the last wait's (see `WaitSlot::read`).
                fence(Ordering::Release);
                f.op.store(op as u8, Ordering::Relaxed);
                f.since.store(since, Ordering::Relaxed);
                f.epoch.store(epoch, Ordering::Relaxed);
                f.seq.store(seq, Ordering::Relaxed);
                f.at.store(site_ptr(at), Ordering::Relaxed);
                f.waiter.store(waiter, Ordering::Release);
                return Place::Fast(i);
            }
        }
        Place::Slow(self.records.lock().insert(WaitRecord { waiter, op, since, epoch, seq, at }))
    }

    /// A recorded wait was polled again, pending, in its task's poll
    /// `epoch` (0: not with its task's own waker).
    #[inline]
    fn repolled(&self, place: Place, epoch: u64) {
        match place {
            Place::Fast(i) => {
                let f = &self.fast[i];
                if f.epoch.load(Ordering::Relaxed) != epoch {
                    f.epoch.store(epoch, Ordering::Relaxed);
                }
            }
            Place::Slow(key) => {
                if let Some(r) = self.records.lock().get_mut(key) {
                    r.epoch = epoch;
                }
            }
        }
    }

    /// When the wait at `place` began (coarse ms; 0 if it is gone).
    #[inline]
    fn since(&self, place: Place) -> u64 {
        match place {
            Place::Fast(i) => self.fast[i].since.load(Ordering::Relaxed),
            Place::Slow(key) => self.records.lock().get_mut(key).map_or(0, |r| r.since),
        }
    }

    /// Whether the wait at `place` was polled again after the poll that
    /// made it (a thread root's, see `crate::raced`), and its site.
    fn repolled_root(&self, place: Place) -> (bool, Site) {
        match place {
            Place::Fast(i) => {
                let f = &self.fast[i];
                (f.epoch.load(Ordering::Relaxed) == REPOLLED_ROOT, site_of(f.at.load(Ordering::Relaxed)))
            }
            Place::Slow(key) => self
                .records
                .lock()
                .get_mut(key)
                .map_or((false, None), |r| (r.epoch == REPOLLED_ROOT, r.at)),
        }
    }

    /// The waiter of the wait at `place` (its own, while it is recorded).
    fn waiter_at(&self, place: Place) -> NodeId {
        match place {
            Place::Fast(i) => self.fast[i].waiter.load(Ordering::Relaxed),
            Place::Slow(key) => self.records.lock().get_mut(key).map_or(0, |r| r.waiter),
        }
    }

    /// Removes a wait.
    #[inline]
    fn remove(&self, place: Place) {
        match place {
            Place::Fast(i) => self.fast[i].waiter.store(0, Ordering::Release),
            Place::Slow(key) => {
                self.records.lock().remove(key);
            }
        }
    }
}

/// Where a recorded wait lives in its list.
#[derive(Debug, Clone, Copy)]
enum Place {
    Fast(usize),
    Slow(usize),
}

/// How a [`WaitEdge`] refers to its list while a wait is recorded: owning
/// an `Arc` (a wait that may outlive any borrow, e.g. kept in a handle) or
/// borrowing it (a wait future that borrows the resource: no reference
/// count to touch, on a cache line every waiter of a contended lock
/// shares).
pub trait ListRef<'r>: std::ops::Deref<Target = WaitList> + Sized {
    /// The reference to keep, from the resource's list.
    fn keep(list: &'r Arc<WaitList>) -> Self;
}

impl<'r> ListRef<'r> for Arc<WaitList> {
    #[inline]
    fn keep(list: &'r Arc<WaitList>) -> Self {
        list.clone()
    }
}

impl<'r> ListRef<'r> for &'r WaitList {
    #[inline]
    fn keep(list: &'r Arc<WaitList>) -> Self {
        list
    }
}

/// One wait's place in a [`WaitList`], held by the wait future; `L` is how
/// it refers to the list ([`ListRef`]).
#[derive(Debug)]
pub struct WaitEdge<L: std::ops::Deref<Target = WaitList<N>> = Arc<WaitList>, const N: usize = FAST_WAITS> {
    slot: Option<(L, Place)>,
    /// Keeps a plain task's or a thread's root alive while it waits.
    keep: Option<Arc<AmbientHandle>>,
}

impl<L: std::ops::Deref<Target = WaitList<N>>, const N: usize> Default for WaitEdge<L, N> {
    fn default() -> Self {
        WaitEdge::new()
    }
}

impl<L: std::ops::Deref<Target = WaitList>> WaitEdge<L> {
    /// Records that the current waiter waits on `list`'s node for `op`, in
    /// a blocking call at `at` (`blocking_lock`, `blocking_recv`, …: its
    /// thread is parked until [`WaitEdge::end`]). Only the first call
    /// records.
    #[inline]
    pub fn begin<'r>(&mut self, list: &'r Arc<WaitList>, op: Op, at: Site)
    where
        L: ListRef<'r>,
    {
        if self.slot.is_none() {
            self.begin_blocking(L::keep(list), op, 0, at);
        }
    }

    /// As [`WaitEdge::begin`], for a blocking call that gives up by itself
    /// at a deadline (`try_lock_for`, `try_write_for`): its wait ends
    /// whatever the holder does (attr `timed`), so no deadlock rests on it.
    #[inline]
    pub fn begin_timed<'r>(&mut self, list: &'r Arc<WaitList>, op: Op, at: Site)
    where
        L: ListRef<'r>,
    {
        if self.slot.is_none() {
            self.begin_blocking(L::keep(list), op, TIMED_CALL, at);
        }
    }

    /// Begins the wait of a blocking call, `timed` ([`TIMED_CALL`]) or not
    /// (0), with the OS thread parked in it.
    #[cold]
    fn begin_blocking(&mut self, list: L, op: Op, timed: u64, at: Site) {
        let thread = u64::try_from(crate::census::os_thread_id()).unwrap_or(0);
        self.begin_recorded(list, op, BLOCKING_CALL + timed + thread, at);
    }

    /// Polls a wait: with the task's waker tagged for waker accounting
    /// (DESIGN.md §4) when it is a peeps task's, else with `cx` untouched;
    /// on `Pending` begins this edge on the list `list` gives (`None`:
    /// nothing to record), or notes the task poll it is pending in; on
    /// `Ready` ends it. What every instrumented wait does (a lock, a join,
    /// an RPC call); `at` is the call that made the wait.
    ///
    /// A wait polled with its task's own waker records the number of the
    /// task poll it was last polled in: a pending wait its task did not
    /// poll in its latest poll was abandoned (a future pinned outside a
    /// `select!` and not polled again). One polled with another waker (a
    /// combinator's, which polls only what was woken) records none.
    #[inline]
    pub fn poll_wait<'r, T>(
        &mut self,
        list: impl FnOnce() -> Option<&'r Arc<WaitList>>,
        op: Op,
        at: Site,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T>
    where
        L: ListRef<'r>,
    {
        self.poll_wait_kept(|| list().map(L::keep), op, at, cx, poll)
    }
}

impl<L: std::ops::Deref<Target = WaitList<N>>, const N: usize> WaitEdge<L, N> {
    /// No wait yet.
    #[inline]
    pub const fn new() -> Self {
        WaitEdge { slot: None, keep: None }
    }

    /// As [`WaitEdge::poll_wait`], given the reference to keep itself
    /// (made only when a wait is first recorded).
    #[inline]
    pub fn poll_wait_kept<T>(
        &mut self,
        list: impl FnOnce() -> Option<L>,
        op: Op,
        at: Site,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        let own = crate::waker::is_task_waker(cx.waker());
        // Inside a peeps task with a waker peeps does not count (a no-op
        // waker of `now_or_never`, a combinator polling a plain future): a
        // wake it leads to is not the task's own to prove.
        let foreign = !own && !crate::waker::is_counted(cx.waker()) && context::current().tracked;
        let polled = match crate::waker::tagged(cx.waker()) {
            Some(tagged) => poll(&mut Context::from_waker(&tagged)),
            None => poll(cx),
        };
        match polled {
            Poll::Pending => {
                let epoch = if own {
                    context::task_poll_epoch()
                } else if foreign {
                    FOREIGN_WAKER
                } else {
                    0
                };
                match &self.slot {
                    Some((list, place)) => match &self.keep {
                        // A thread's root polled again: it was woken.
                        Some(root) if epoch == 0 => {
                            list.repolled(*place, REPOLLED_ROOT);
                            crate::raced::pending(root.id());
                        }
                        _ => list.repolled(*place, epoch),
                    },
                    None => {
                        if let Some(list) = list() {
                            if foreign {
                                // Perhaps an executor nested in the task's
                                // poll: what its waker's count says
                                // (`nested_waker`).
                                crate::nested_waker::note(context::current().task, cx.waker());
                            } else if !own {
                                // Perhaps a plain tokio task: what its
                                // waker's count says (`task_waker`), noted
                                // before its wait shows (the first note
                                // learns tokio's vtable on a thread of its
                                // own: a snapshot in between would find the
                                // wait and no count).
                                crate::task_waker::note(cx.waker());
                            }
                            self.begin_recorded(list, op, epoch, at);
                            if let Some(root) = &self.keep {
                                // A thread's root (`block_on`): what its
                                // waker's count says (`thread_waker`).
                                crate::thread_waker::note(root.id(), cx.waker());
                                crate::raced::pending(root.id());
                            }
                        }
                    }
                }
                Poll::Pending
            }
            Poll::Ready(v) => {
                if !own {
                    // Perhaps a thread's root (`block_on`): what its
                    // waker's count says (`thread_waker`).
                    crate::thread_waker::note_ready(cx.waker());
                }
                self.end();
                Poll::Ready(v)
            }
        }
    }

    #[inline(never)]
    fn begin_recorded(&mut self, list: L, op: Op, epoch: u64, at: Site) {
        let waiter = context::current_waiter();
        let place = list.insert(waiter.id, op, clock::now_ms(), epoch, at);
        crate::history::waiting(crate::history::task_of_waiter(waiter.id), list.target, op, at);
        self.keep = waiter.keep;
        self.slot = Some((list, place));
    }

    /// Whether a wait is recorded.
    #[inline]
    pub fn is_waiting(&self) -> bool {
        self.slot.is_some()
    }

    /// Whether a wait is recorded and the current context is its waiter
    /// (the future, task or thread that was current when it began): a
    /// drop of its future now is the waiter's own (a timeout, a `select!`
    /// branch that lost), not a runtime's that drops the task around it
    /// (an aborted peeps task, a shutdown). Cold: asks for the waiter.
    #[cold]
    #[inline(never)]
    pub fn waited_by_current(&self) -> bool {
        self.slot
            .as_ref()
            .is_some_and(|(list, place)| list.waiter_at(*place) == context::current_waiter().id)
    }

    /// Ends the wait: it completed (what it waited for is the current
    /// task's now; the hold it takes next says how long it waited). Inline
    /// and one compare when no wait was recorded: the uncontended path of
    /// every primitive.
    #[inline]
    pub fn end(&mut self) {
        if self.slot.is_some() {
            self.end_recorded(true);
        }
    }

    #[inline(never)]
    fn end_recorded(&mut self, completed: bool) {
        if let Some((list, place)) = self.slot.take() {
            if completed {
                crate::history::wait_over(list.target, list.since(place));
            }
            if let Some(root) = &self.keep {
                if completed {
                    crate::raced::completed(root.id());
                } else {
                    let (repolled, at) = list.repolled_root(place);
                    if repolled
                        || clock::now_ms().saturating_sub(list.since(place))
                            >= crate::raced::OUTLIVED_A_POLL_MS
                    {
                        crate::raced::cancelled(root.id(), at);
                    }
                }
            }
            list.remove(place);
        }
        self.keep = None;
    }
}

impl<L: std::ops::Deref<Target = WaitList<N>>, const N: usize> Drop for WaitEdge<L, N> {
    /// A wait dropped while recorded was cancelled.
    #[inline]
    fn drop(&mut self) {
        if self.slot.is_some() {
            self.end_recorded(false);
        }
    }
}

/// Loom models (`scripts/loom.sh`) of the lock-free wait slots.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::model::{NOW, edges, site};
    use loom::thread;
    use peeps_graph::Edge;

    /// The node waited on.
    const TARGET: NodeId = 99;

    /// One wait a model records, and what a snapshot must say of it.
    #[derive(Debug, Clone, Copy)]
    struct Wait {
        waiter: NodeId,
        op: Op,
        since: u64,
        /// The task polls it is recorded in: first, then repolled.
        epochs: [u64; 2],
        at: &'static Location<'static>,
    }

    impl Wait {
        fn insert(&self, list: &WaitList) -> Place {
            list.insert(self.waiter, self.op, self.since, self.epochs[0], Some(self.at))
        }

        /// Whether `e` says this wait, whole: the fields of one wait, never
        /// a slot read half-filled or mixed with another wait's.
        fn said_by(&self, e: &Edge) -> bool {
            let polled_in = e.attrs.get(attr::POLLED_IN).map(|v| v.as_u64());
            e.from == self.waiter
                && e.to == TARGET
                && e.since_ms == Some(NOW - self.since)
                && e.attrs.get(attr::OP) == Some(&self.op.as_str().into())
                && e.attrs.get(attr::AT) == Some(&site(self.at))
                && match polled_in {
                    None => self.epochs.contains(&0),
                    Some(epoch) => epoch.is_some_and(|n| n != 0 && self.epochs.contains(&n)),
                }
        }
    }

    /// A snapshot of `list`: every edge says one of `waits` whole. Returns
    /// the waiters it shows.
    #[track_caller]
    fn snapshot(list: &WaitList, waits: &[Wait]) -> Vec<NodeId> {
        let edges = edges(|out| {
            list.describe(out);
        });
        for e in &edges {
            assert!(waits.iter().any(|w| w.said_by(e)), "not one wait, whole: {e:?} (waits: {waits:?})");
        }
        edges.iter().map(|e| e.from).collect()
    }

    /// Two waits go into one slot of a list (one after the other has
    /// gone from it, or both at once into two) while a snapshot reads
    /// the list: it shows each wait whole or not at all, never a slot
    /// being filled, a wait that is gone, or fields of two waits in one
    /// edge; once they are done, the list shows exactly the wait left.
    /// (Each party has its own thread, so that the main thread's joins
    /// cost no preemption of the bound.)
    #[test]
    fn a_snapshot_shows_each_wait_whole_or_not_at_all() {
        loom::model(|| {
            let list = loom::sync::Arc::new(WaitList::new(TARGET));
            // An earlier wait, over: its fields are still in slot 0, where
            // each of the waits below tries first (`waiter % FAST_WAITS`).
            let old = Wait { waiter: 4, op: Op::Send, since: 10, epochs: [3, 3], at: Location::caller() };
            let p = old.insert(&list);
            list.remove(p);
            let a = Wait { waiter: 8, op: Op::Lock, since: 100, epochs: [7, 9], at: Location::caller() };
            let b = Wait { waiter: 12, op: Op::Recv, since: 200, epochs: [0, 0], at: Location::caller() };
            let la = list.clone();
            let ta = thread::spawn(move || {
                let p = a.insert(&la);
                la.repolled(p, a.epochs[1]);
                la.remove(p);
            });
            let lb = list.clone();
            let tb = thread::spawn(move || b.insert(&lb));
            let ls = list.clone();
            let ts = thread::spawn(move || {
                snapshot(&ls, &[a, b]);
            });
            ts.join().unwrap();
            ta.join().unwrap();
            let pb = tb.join().unwrap();
            assert_eq!(snapshot(&list, &[a, b]), [b.waiter]);
            list.remove(pb);
            assert!(snapshot(&list, &[]).is_empty());
        });
    }
}
