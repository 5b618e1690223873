//! Roots peeps did not spawn: plain tokio tasks and `block_on` threads.
//!
//! A future polled inside `tokio::spawn` (not `peeps::spawn`) or directly in
//! `block_on` still needs a task to be attributed to. peeps makes a `task`
//! node keyed by tokio's task id, or a `thread` node for a `block_on` root,
//! the first time something instrumented runs there. The node lives while
//! anything instrumented refers to it and leaves with the last reference.
//! Such roots cannot be waker-accounted (`tracked: false`).

use crate::node::{Describe, NodeCore, PollStats, SourceLocation};
use crate::registry::{Entry, Registered};
use parking_lot::Mutex;
use peeps_graph::{NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Weak};

/// The registry entry of an ambient root.
#[derive(Debug)]
pub struct AmbientRoot {
    core: NodeCore,
    tokio_id: Option<String>,
    /// Polls of the instrumented futures at the top of this root.
    pub stats: PollStats,
}

impl Entry for AmbientRoot {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        self.stats.describe(out, self.core.created_ms);
        out.attr(attr::TRACKED, false);
        if let Some(id) = &self.tokio_id {
            let value: serde_json::Value = id.parse::<u64>().map_or_else(|_| id.clone().into(), Into::into);
            out.attr(attr::TOKIO_TASK_ID, value);
        }
    }
}

/// A reference to an ambient root; the node leaves when the last one drops.
#[derive(Debug)]
pub struct AmbientHandle {
    reg: Registered<AmbientRoot>,
    key: Option<tokio::task::Id>,
}

impl AmbientHandle {
    /// The root's node id.
    pub fn id(&self) -> NodeId {
        self.reg.core.id
    }

    /// The root's poll statistics.
    pub fn stats(&self) -> &PollStats {
        &self.reg.stats
    }

    /// The tokio task this root stands for, if any.
    pub fn tokio_id(&self) -> Option<tokio::task::Id> {
        self.key
    }
}

impl Drop for AmbientHandle {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut map = FOREIGN_TASKS.lock();
            // Only remove our own slot: a new handle for the same id may have
            // replaced it after our last strong reference went.
            if map.get(&key).is_some_and(|w| w.strong_count() == 0) {
                map.remove(&key);
            }
        }
    }
}

static FOREIGN_TASKS: LazyLock<Mutex<HashMap<tokio::task::Id, Weak<AmbientHandle>>>> =
    LazyLock::new(Default::default);

thread_local! {
    static THREAD_ROOT: RefCell<Weak<AmbientHandle>> = const { RefCell::new(Weak::new()) };
}

/// The root of whatever runs on this thread now: the plain tokio task, or
/// the thread itself. Made on first use (an allocation), then shared.
pub fn current() -> Arc<AmbientHandle> {
    match tokio::task::try_id() {
        Some(id) => foreign_task(id),
        None => thread_root(),
    }
}

/// The root for tokio task `id`, if `id` is the current task's.
pub fn foreign_task(id: tokio::task::Id) -> Arc<AmbientHandle> {
    let mut map = FOREIGN_TASKS.lock();
    if let Some(h) = map.get(&id).and_then(Weak::upgrade) {
        return h;
    }
    let name = Cow::Owned(format!("tokio task {id}"));
    let root = AmbientRoot {
        core: NodeCore::new(NodeKind::Task, name, SourceLocation::Static("(spawned with tokio::spawn)")),
        tokio_id: Some(id.to_string()),
        stats: PollStats::default(),
    };
    let handle = Arc::new(AmbientHandle { reg: Registered::new(root), key: Some(id) });
    map.insert(id, Arc::downgrade(&handle));
    handle
}

/// Whether `root` is this thread's `block_on` root (no reference counting).
pub fn is_thread_root(root: &Arc<AmbientHandle>) -> bool {
    THREAD_ROOT.try_with(|slot| std::ptr::eq(slot.borrow().as_ptr(), Arc::as_ptr(root))).unwrap_or(false)
}

fn thread_root() -> Arc<AmbientHandle> {
    let make = || {
        let thread = std::thread::current();
        let name = Cow::Owned(format!("thread {}", thread.name().unwrap_or("(unnamed)")));
        let root = AmbientRoot {
            core: NodeCore::new(NodeKind::Thread, name, SourceLocation::Static("(block_on)")),
            tokio_id: None,
            stats: PollStats::default(),
        };
        Arc::new(AmbientHandle { reg: Registered::new(root), key: None })
    };
    THREAD_ROOT
        .try_with(|slot| {
            if let Some(h) = slot.borrow().upgrade() {
                return h;
            }
            let h = make();
            *slot.borrow_mut() = Arc::downgrade(&h);
            h
        })
        .unwrap_or_else(|_| make())
}
