//! `waits_on` edges: a pending wait, from the waiter to what it waits on.
//!
//! The thing waited on (a resource, a task being joined) owns a [`WaitList`];
//! a wait future owns a [`WaitEdge`] that puts one record in that list the
//! first time the wait returns `Pending`, and takes it out when the wait
//! completes or the wait future is dropped (cancellation). Only the pending
//! path touches the list's lock; an uncontended wait never does.

use crate::clock;
use crate::context::{self, Actor};
use crate::node::Describe;
use crate::slab::Slab;
use parking_lot::Mutex;
use peeps_graph::{Attrs, EdgeKind, NodeId, attr};
use std::sync::Arc;

#[derive(Debug)]
struct WaitRecord {
    waiter: Actor,
    op: &'static str,
    since: u64,
}

/// The pending waits on one node.
#[derive(Debug)]
pub struct WaitList {
    target: NodeId,
    records: Mutex<Slab<WaitRecord>>,
}

impl WaitList {
    /// An empty list of waits on node `target`.
    pub fn new(target: NodeId) -> Self {
        WaitList { target, records: Mutex::new(Slab::new()) }
    }

    /// How many waits are pending.
    pub fn len(&self) -> usize {
        self.records.lock().len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a `waits_on` edge per pending wait.
    pub fn describe(&self, out: &mut Describe<'_>) {
        let records = self.records.lock();
        for r in records.iter() {
            let mut attrs = Attrs::new();
            attrs.insert(attr::OP.into(), r.op.into());
            out.edge(r.waiter.id, self.target, EdgeKind::WaitsOn, r.since, attrs);
        }
    }
}

/// One wait's place in a [`WaitList`], held by the wait future.
#[derive(Debug, Default)]
pub struct WaitEdge {
    slot: Option<(Arc<WaitList>, usize)>,
}

impl WaitEdge {
    /// No wait yet.
    #[inline]
    pub const fn new() -> Self {
        WaitEdge { slot: None }
    }

    /// Records that the current waiter waits on `list`'s node for `op`.
    /// Called on every `Pending`; only the first call records.
    pub fn begin(&mut self, list: &Arc<WaitList>, op: &'static str) {
        if self.slot.is_some() {
            return;
        }
        let record = WaitRecord { waiter: context::current_waiter(), op, since: clock::now_ms() };
        let key = list.records.lock().insert(record);
        self.slot = Some((list.clone(), key));
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

    #[cold]
    #[inline(never)]
    fn end_recorded(&mut self) {
        if let Some((list, key)) = self.slot.take() {
            let removed = list.records.lock().remove(key);
            drop(removed);
        }
    }
}

impl Drop for WaitEdge {
    #[inline]
    fn drop(&mut self) {
        self.end();
    }
}
