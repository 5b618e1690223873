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

thread_local! {
    static CURRENT: Cell<Frame> = const { Cell::new(Frame { node: 0, task: 0, tracked: false }) };
}

/// The current frame (all zero outside any instrumented poll).
#[inline]
pub fn current() -> Frame {
    CURRENT.try_with(Cell::get).unwrap_or_default()
}

/// Makes `frame` current until the returned guard drops.
#[inline]
pub fn enter(frame: Frame) -> FrameGuard {
    let prev = CURRENT.try_with(|c| c.replace(frame)).unwrap_or_default();
    FrameGuard { prev }
}

/// Restores the previous frame on drop, also during a panic.
#[derive(Debug)]
#[must_use = "the frame is current only while the guard lives"]
pub struct FrameGuard {
    prev: Frame,
}

impl Drop for FrameGuard {
    #[inline]
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.prev));
    }
}

/// Who a wait or a hold is attributed to, and what keeps that node alive.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The node id of the waiter or holder.
    pub id: NodeId,
    /// Holds a root that exists only while something refers to it (a plain
    /// tokio task or a `block_on` thread); `None` for peeps' own nodes.
    pub keep: Option<Arc<AmbientHandle>>,
    /// Spawned through peeps: waker accounting and the holder are exact.
    pub tracked: bool,
}

/// The innermost node polling now, for a `waits_on` edge: an instrumented
/// future, else the task or the thread's root.
pub fn current_waiter() -> Actor {
    let frame = current();
    if frame.node != 0 {
        return Actor { id: frame.node, keep: None, tracked: frame.tracked };
    }
    ambient_actor()
}

/// The task polling now, for a `held_by` edge: whoever can release a guard.
pub fn current_holder() -> Actor {
    let frame = current();
    if frame.task != 0 && frame.tracked {
        return Actor { id: frame.task, keep: None, tracked: true };
    }
    ambient_actor()
}

fn ambient_actor() -> Actor {
    let root = ambient::current();
    Actor { id: root.id(), keep: Some(root), tracked: false }
}
