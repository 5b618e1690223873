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
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::task::{Context, Poll};

pub use peeps_graph::Op;

#[derive(Debug)]
struct WaitRecord {
    waiter: NodeId,
    op: Op,
    since: u64,
}

/// How many waits a list records without its lock.
const FAST_WAITS: usize = 4;

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
}

impl WaitSlot {
    fn free() -> Self {
        WaitSlot {
            waiter: AtomicU64::new(0),
            op: AtomicU8::new(0),
            since: AtomicU64::new(0),
        }
    }
}

/// The pending waits on one node: the first few in lock-free slots (a
/// contended lock's waiters cost no lock of peeps' own), the rest in a
/// list behind a lock.
#[derive(Debug)]
pub struct WaitList {
    target: NodeId,
    fast: [WaitSlot; FAST_WAITS],
    records: Mutex<Slab<WaitRecord>>,
}

// Unwind safety: the interior mutability here is peeps' own bookkeeping,
// behind locks that do not poison and updates that leave it consistent at
// every step, so a panic cannot leave state that code after `catch_unwind`
// would misread (tokio says the same of its channels' shared state). This
// keeps the wrappers as unwind safe as the tokio types they replace.
impl std::panic::UnwindSafe for WaitList {}
impl std::panic::RefUnwindSafe for WaitList {}

impl WaitList {
    /// An empty list of waits on node `target`.
    pub fn new(target: NodeId) -> Self {
        WaitList { target, fast: std::array::from_fn(|_| WaitSlot::free()), records: Mutex::new(Slab::new()) }
    }

    /// Adds a `waits_on` edge per pending wait; returns how many.
    pub fn describe(&self, out: &mut Describe<'_>) -> usize {
        let mut n = 0;
        for f in &self.fast {
            let waiter = f.waiter.load(Ordering::Acquire);
            if waiter != 0 && waiter != CLAIMING {
                let op = Op::from_repr(f.op.load(Ordering::Acquire));
                self.edge(out, waiter, op, f.since.load(Ordering::Relaxed));
                n += 1;
            }
        }
        let records = self.records.lock();
        for r in records.iter() {
            self.edge(out, r.waiter, Some(r.op), r.since);
        }
        n + records.len()
    }

    fn edge(&self, out: &mut Describe<'_>, waiter: NodeId, op: Option<Op>, since: u64) {
        let mut attrs = Attrs::new();
        if let Some(op) = op {
            attrs.insert(attr::OP.into(), op.as_str().into());
        }
        out.edge(waiter, self.target, EdgeKind::WaitsOn, since, attrs);
    }

    /// Records a wait; returns its place.
    #[inline]
    fn insert(&self, waiter: NodeId, op: Op, since: u64) -> Place {
        // Look before claiming: a failed compare-and-swap on the line every
        // waiter shares costs as much as a successful one. Start at a slot
        // chosen by the waiter, so waiters spread over the slots.
        for k in 0..FAST_WAITS {
            let i = (waiter as usize).wrapping_add(k) % FAST_WAITS;
            let f = &self.fast[i];
            if f.waiter.load(Ordering::Relaxed) == 0
                && f.waiter.compare_exchange(0, CLAIMING, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                f.op.store(op as u8, Ordering::Relaxed);
                f.since.store(since, Ordering::Relaxed);
                f.waiter.store(waiter, Ordering::Release);
                return Place::Fast(i);
            }
        }
        Place::Slow(self.records.lock().insert(WaitRecord { waiter, op, since }))
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
pub struct WaitEdge<L: std::ops::Deref<Target = WaitList> = Arc<WaitList>> {
    slot: Option<(L, Place)>,
    /// Keeps a plain task's or a thread's root alive while it waits.
    keep: Option<Arc<AmbientHandle>>,
}

impl<L: std::ops::Deref<Target = WaitList>> Default for WaitEdge<L> {
    fn default() -> Self {
        WaitEdge::new()
    }
}

impl<L: std::ops::Deref<Target = WaitList>> WaitEdge<L> {
    /// No wait yet.
    #[inline]
    pub const fn new() -> Self {
        WaitEdge { slot: None, keep: None }
    }

    /// Records that the current waiter waits on `list`'s node for `op`.
    /// Called on every `Pending`; only the first call records.
    #[inline]
    pub fn begin<'r>(&mut self, list: &'r Arc<WaitList>, op: Op)
    where
        L: ListRef<'r>,
    {
        if self.slot.is_none() {
            self.begin_recorded(L::keep(list), op);
        }
    }

    /// Polls a wait: with the task's waker tagged for waker accounting
    /// (DESIGN.md §4) when it is a peeps task's, else with `cx` untouched;
    /// on `Pending` begins this edge on the list `list` gives (`None`:
    /// nothing to record), on `Ready` ends it. What every instrumented wait
    /// does (a lock, a join, an RPC call).
    #[inline]
    pub fn poll_wait<'r, T>(
        &mut self,
        list: impl FnOnce() -> Option<&'r Arc<WaitList>>,
        op: Op,
        cx: &mut Context<'_>,
        poll: impl FnOnce(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<T>
    where
        L: ListRef<'r>,
    {
        let polled = match crate::waker::tagged(cx.waker()) {
            Some(tagged) => poll(&mut Context::from_waker(&tagged)),
            None => poll(cx),
        };
        match polled {
            Poll::Pending => {
                if let Some(list) = list() {
                    self.begin(list, op);
                }
                Poll::Pending
            }
            Poll::Ready(v) => {
                self.end();
                Poll::Ready(v)
            }
        }
    }

    #[inline(never)]
    fn begin_recorded(&mut self, list: L, op: Op) {
        let waiter = context::current_waiter();
        let place = list.insert(waiter.id, op, clock::now_ms());
        self.keep = waiter.keep;
        self.slot = Some((list, place));
    }

    /// Whether a wait is recorded.
    #[inline]
    pub fn is_waiting(&self) -> bool {
        self.slot.is_some()
    }

    /// Ends the wait (completed or cancelled). Inline and one compare when
    /// no wait was recorded: the uncontended path of every primitive.
    #[inline]
    pub fn end(&mut self) {
        if self.slot.is_some() {
            self.end_recorded();
        }
    }

    #[inline(never)]
    fn end_recorded(&mut self) {
        if let Some((list, place)) = self.slot.take() {
            list.remove(place);
        }
        self.keep = None;
    }
}

impl<L: std::ops::Deref<Target = WaitList>> Drop for WaitEdge<L> {
    #[inline]
    fn drop(&mut self) {
        self.end();
    }
}
