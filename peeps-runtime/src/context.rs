//! The thread-local context: which node this thread is polling.
//!
//! Each instrumented poll sets the current [`Frame`] and restores the previous
//! one when it ends, through a guard that also restores it when the poll
//! panics. A child learns its parent at poll time by reading the frame, so
//! the `needs` edges follow how futures are actually awaited, not where they
//! were made. There is no stack to allocate: each guard remembers the frame
//! it replaced.

use crate::ambient::{self, AmbientHandle};
use peeps_graph::NodeId;
use std::cell::Cell;
use std::sync::Arc;

/// What the current thread is polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Frame {
    /// The innermost instrumented node being polled (0: none).
    pub node: NodeId,
    /// The task that node runs in (0: unknown yet).
    pub task: NodeId,
    /// The task was spawned through peeps (its node lives as long as it runs).
    pub tracked: bool,
}

/// The top bit of the stored task id says "tracked" (ids never reach it).
const TRACKED_BIT: u64 = 1 << 63;

/// A frame as stored: two words, no padding, so saving and restoring it is
/// two plain moves on the hot path.
type Packed = (NodeId, u64);

impl Frame {
    #[inline]
    fn pack(self) -> Packed {
        (self.node, self.task | if self.tracked { TRACKED_BIT } else { 0 })
    }

    #[inline]
    fn unpack((node, task): Packed) -> Frame {
        Frame { node, task: task & !TRACKED_BIT, tracked: task & TRACKED_BIT != 0 }
    }

    /// The innermost instrumented future below its task, 0 when the task
    /// (or the thread) itself is polled: the future that takes a hold.
    #[inline]
    pub fn future(self) -> NodeId {
        if self.node == self.task { 0 } else { self.node }
    }
}

thread_local! {
    static CURRENT: Cell<Packed> = const { Cell::new((0, 0)) };
}

/// The current frame (all zero outside any instrumented poll).
#[inline]
pub fn current() -> Frame {
    Frame::unpack(CURRENT.try_with(Cell::get).unwrap_or((0, 0)))
}

/// Makes `frame` current until the returned guard drops.
#[inline]
pub fn enter(frame: Frame) -> FrameGuard {
    let prev = CURRENT.try_with(|c| c.replace(frame.pack())).unwrap_or((0, 0));
    FrameGuard { prev }
}

/// Restores the previous frame on drop, also during a panic.
#[derive(Debug)]
#[must_use = "the frame is current only while the guard lives"]
pub struct FrameGuard {
    prev: Packed,
}

impl Drop for FrameGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.prev));
    }
}

/// The peeps task being polled, as its poll sees itself: where its pinned
/// state lives (`start`, `len`) and the number of this poll.
#[derive(Debug, Clone, Copy, Default)]
struct TaskPoll {
    start: usize,
    len: usize,
    epoch: u64,
}

thread_local! {
    /// The peeps task being polled on this thread; all zero outside one.
    static TASK_POLL: Cell<TaskPoll> = const { Cell::new(TaskPoll { start: 0, len: 0, epoch: 0 }) };
}

/// Makes `[start, start + len)` the current task's state, and `epoch` the
/// number of its poll, until the guard drops. Set once per task poll (not
/// per future poll).
#[inline]
pub fn enter_task_poll(start: usize, len: usize, epoch: u64) -> TaskPollGuard {
    let now = TaskPoll { start, len, epoch };
    let prev = TASK_POLL.try_with(|c| c.replace(now)).unwrap_or_default();
    TaskPollGuard { prev }
}

/// Restores the previous task poll on drop, also during a panic.
#[derive(Debug)]
#[must_use = "the task poll is current only while the guard lives"]
pub struct TaskPollGuard {
    prev: TaskPoll,
}

impl Drop for TaskPollGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = TASK_POLL.try_with(|c| c.set(self.prev));
    }
}

/// Whether `addr` lies inside the state of the context using it: a value
/// there is owned by that context (moved into it, or a local of it), not
/// shared with others through an `Arc` or a static. In a peeps task's
/// poll, its state is its pinned future; elsewhere it is the thread's
/// stack: a thread's locals, a `spawn_blocking` closure's captures and
/// locals; a plain tokio task's locals of the current poll and its cell,
/// where tokio keeps its future (see `task_cell`).
pub fn context_owns(addr: *const ()) -> bool {
    let TaskPoll { start, len, .. } = TASK_POLL.try_with(Cell::get).unwrap_or_default();
    let addr = addr as usize;
    if len != 0 {
        return addr >= start && addr < start + len;
    }
    stack::contains(addr) || crate::task_cell::current_owns(addr)
}

/// The end (highest address) of the current thread's stack; 0 when not
/// known.
pub(crate) fn stack_top() -> usize {
    stack::bounds_cached().1
}

/// The current thread's stack.
mod stack {
    use std::cell::Cell;

    thread_local! {
        /// This thread's stack, `[start, end)`, once asked (empty: unknown).
        static STACK: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    }

    /// Whether `addr` is on the current thread's stack.
    pub(super) fn contains(addr: usize) -> bool {
        let (start, end) = bounds_cached();
        addr >= start && addr < end
    }

    /// The current thread's stack, `[start, end)`, asked once per thread.
    pub(super) fn bounds_cached() -> (usize, usize) {
        STACK.try_with(|s| {
            if s.get().1 == 0 {
                s.set(bounds());
            }
            s.get()
        })
        .unwrap_or((0, 0))
    }

    /// The stack's bounds, from the thread's attributes (Linux).
    #[cfg(target_os = "linux")]
    fn bounds() -> (usize, usize) {
        let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
        let mut base: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        // SAFETY: `attr` is initialised by `pthread_getattr_np` before it is
        // read, and destroyed once, only when it was initialised.
        unsafe {
            if libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()) != 0 {
                return (0, 0);
            }
            let got = libc::pthread_attr_getstack(attr.as_ptr(), &mut base, &mut size);
            libc::pthread_attr_destroy(attr.as_mut_ptr());
            if got != 0 {
                return (0, 0);
            }
        }
        (base as usize, base as usize + size)
    }

    /// Not known off Linux: nothing on a thread's stack counts as its own.
    #[cfg(not(target_os = "linux"))]
    fn bounds() -> (usize, usize) {
        (0, 0)
    }
}

/// The number of the current peeps task's poll (its `polls` count), or 0
/// outside a peeps task's poll: what a wait records as the poll it was
/// last polled in, so that a wait its task stopped polling can be told
/// from one it polls each time (see `WaitEdge::poll_wait`).
#[inline]
pub fn task_poll_epoch() -> u64 {
    TASK_POLL.try_with(|c| c.get().epoch).unwrap_or(0)
}

/// Who a wait or a hold is attributed to, and what keeps that node alive.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The node id of the waiter or holder.
    pub id: NodeId,
    /// Holds a root that exists only while something refers to it; `None`
    /// but during a thread's teardown (see `ambient::kept_thread_root`).
    pub keep: Option<Arc<AmbientHandle>>,
}

/// The innermost node polling now, for a `waits_on` edge: an instrumented
/// future, else the plain tokio task (its derived id), else the thread's
/// root, kept alive by the wait (the registry returns to its baseline once
/// nothing waits).
#[inline]
pub fn current_waiter() -> Actor {
    let frame = current();
    if frame.node != 0 {
        return Actor { id: frame.node, keep: None };
    }
    if let Some(task) = tokio::task::try_id() {
        return Actor { id: ambient::foreign_id(task), keep: None };
    }
    let root = ambient::thread_root();
    Actor { id: root.id(), keep: Some(root) }
}

/// The holder of a lock's hold taken now (as [`current_holder`]), and who
/// takes it as the lock order wants it (see `hold::Taker`), from one read
/// of the frame and, outside a peeps task, one question to tokio.
#[inline(always)]
pub fn current_lock_taker() -> (Actor, crate::hold::Taker) {
    let frame = current();
    let by = frame.future();
    if frame.tracked {
        return (Actor { id: frame.task, keep: None }, crate::hold::Taker::new(by, 0));
    }
    plain_lock_taker(by)
}

/// [`current_lock_taker`] outside a peeps task: the plain tokio task, else
/// the thread.
#[inline]
fn plain_lock_taker(by: NodeId) -> (Actor, crate::hold::Taker) {
    match tokio::task::try_id() {
        Some(task) => {
            let id = ambient::foreign_id(task);
            (Actor { id, keep: None }, crate::hold::Taker::new(by, id))
        }
        None => (ambient::kept_thread_root(), crate::hold::Taker::new(by, 0)),
    }
}

/// The task polling now, for a `held_by` edge: whoever can release a guard.
/// A peeps task, else the plain tokio task (its derived id), else the
/// thread's root, which the thread keeps once it held something (a plain
/// thread's uncontended lock registers no root around every hold).
#[inline]
pub fn current_holder() -> Actor {
    let frame = current();
    // A tracked frame always carries its task.
    if frame.tracked {
        return Actor { id: frame.task, keep: None };
    }
    if let Some(task) = tokio::task::try_id() {
        return Actor { id: ambient::foreign_id(task), keep: None };
    }
    ambient::kept_thread_root()
}
