//! Roots peeps did not spawn: plain tokio tasks and `block_on` threads.
//!
//! A future polled inside `tokio::spawn` (not `peeps::spawn`) or directly in
//! `block_on` still needs a task to be attributed to. peeps makes a `task`
//! node keyed by tokio's task id, or a `thread` node for a `block_on` root,
//! the first time something instrumented runs there. The node lives while
//! anything instrumented refers to it and leaves with the last reference.
//! Such roots cannot be waker-accounted (`tracked: false`).
//!
//! A plain tokio task's node id is derived from tokio's task id
//! ([`foreign_id`]), so a hold or a wait in such a task records that id
//! without looking up or registering anything (a global map and a registry
//! insert and remove around every uncontended lock cost five times tokio's
//! lock). A snapshot adds a node for any such id its edges name that is not
//! registered (`foreign_node`).

use crate::id::FOREIGN_BASE;
use crate::node::{Describe, NodeCore, PollStats, SourceLocation};
use crate::registry::{Entry, Registered};
use parking_lot::Mutex;
use peeps_graph::{NodeId, NodeKind, attr};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Weak};

/// The registry entry of an ambient root.
#[derive(Debug)]
pub struct AmbientRoot {
    core: NodeCore,
    /// Tokio's number for the task (none for a thread's root).
    tokio_id: Option<u64>,
    /// The OS id of a thread's root's thread (0 for a task).
    os_thread: i32,
    /// The `#[peeps::test]` run whose thread made it (0: none).
    test_scope: u64,
    /// Polls of the instrumented futures at the top of this root.
    pub stats: PollStats,
}

// SAFETY: `core` returns the entry's own `core` field, and nothing else.
unsafe impl Entry for AmbientRoot {
    fn core(&self) -> &NodeCore {
        &self.core
    }
    fn describe(&self, out: &mut Describe<'_>) {
        self.stats.describe(out, self.core.created_ms);
        out.attr(attr::TRACKED, false);
        if let Some(id) = self.tokio_id {
            out.attr(attr::TOKIO_TASK_ID, id);
        }
        // A `spawn_blocking` closure runs on a blocking thread, which is
        // one peeps cannot see into; so may a thread's root's thread be.
        let unseen = if self.os_thread != 0 {
            crate::census::is_unseen_thread(self.os_thread)
        } else {
            self.tokio_id.is_some() && is_blocking_task(self.core.id)
        };
        if unseen {
            out.attr(attr::UNSEEN_THREAD, true);
        }
        if self.test_scope != 0 {
            out.attr(attr::TEST_SCOPE, self.test_scope);
        }
        if let Ok(thread @ 1..) = u64::try_from(self.os_thread) {
            out.attr(attr::OS_THREAD, thread);
            if crate::timer_due::busy(self.os_thread) {
                out.attr(attr::THREAD_BUSY, true);
            }
        }
        let clones = if self.os_thread != 0 {
            crate::thread_waker::clones(self.core.id)
        } else if self.tokio_id.is_some() {
            match crate::task_waker::read(self.core.id) {
                Some(crate::task_waker::PlainWaker::Live {
                    clones,
                    queued,
                    running,
                }) => {
                    // Being polled now, it may be taking what woke it: not
                    // said (a `spawn_blocking` closure runs all along).
                    if !running {
                        out.attr(attr::WOKEN, queued);
                    }
                    Some(clones)
                }
                Some(crate::task_waker::PlainWaker::Complete) => {
                    // tokio does not say when a plain task ends; its state
                    // word does, while peeps keeps a clone of its waker.
                    out.state(crate::node::PollState::Done.as_str(), out.now_ms);
                    None
                }
                // A `spawn_blocking` closure driving its waits with
                // `Handle::block_on`: its waker is that thread's.
                None => crate::thread_waker::clones(self.core.id),
            }
        } else {
            None
        };
        if let Some(clones) = clones {
            out.attr(attr::WAKER_CLONES, clones);
        }
        if self.os_thread != 0
            && clones.is_none()
            && let Some(ms) = crate::timer_due::epoll_timeout_ms(self.os_thread)
        {
            out.attr(attr::TIMER_DUE_MS, ms);
        }
        if self.os_thread != 0 {
            let raced = crate::raced::sites(self.os_thread);
            if !raced.is_empty() {
                out.attr(attr::RACED_AT, raced);
            }
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


/// The node id of plain tokio task `task`: the same for every hold, wait
/// and registered root of that task.
#[inline]
pub fn foreign_id(task: tokio::task::Id) -> NodeId {
    FOREIGN_BASE + (task_number(task) & (FOREIGN_BASE - 1))
}

/// Tokio's integer for a task id (its `Hash` writes exactly that `u64`).
#[inline]
pub(crate) fn task_number(task: tokio::task::Id) -> u64 {
    struct Take(u64);
    impl std::hash::Hasher for Take {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 = self.0 << 8 | u64::from(*b);
            }
        }
        fn write_u64(&mut self, v: u64) {
            self.0 = v;
        }
    }
    let mut take = Take(0);
    std::hash::Hash::hash(&task, &mut take);
    take.0
}

/// The node a snapshot shows for id `id` when an edge names it but nothing
/// registered it: a plain tokio task that holds or waits on something while
/// no instrumented future runs at its top. `None` for any other id.
pub(crate) fn foreign_node(id: NodeId, now_ms: u64, edges: &mut Vec<peeps_graph::Edge>) -> Option<peeps_graph::Node> {
    if !crate::id::is_foreign(id) {
        return None;
    }
    let task = id - FOREIGN_BASE;
    let root = AmbientRoot {
        core: NodeCore::with_id(id, NodeKind::Task, foreign_name(task), SourceLocation::Static(foreign_location(id))),
        tokio_id: Some(task),
        os_thread: 0,
        // Synthesised at snapshot time, on no test's thread.
        test_scope: 0,
        stats: PollStats::default(),
    };
    let mut node = crate::snapshot::describe_entry(&root, now_ms, edges, &crate::ownership::Found::default());
    // Not known how long it has been idle.
    node.since_ms = None;
    Some(node)
}

/// Where a plain tokio task came from, as its node's location says.
const FOREIGN_LOCATION: &str = "(spawned with tokio::spawn)";
/// The same, for a task peeps saw make a blocking call ([`note_blocking_call`]).
const BLOCKING_LOCATION: &str = "(spawned with tokio::task::spawn_blocking)";

/// How many blocking tasks [`note_blocking_call`] remembers.
const BLOCKING_TASKS: usize = 64;
/// The node ids of the last [`BLOCKING_TASKS`] tokio tasks seen to make a
/// blocking call, written round.
static BLOCKING_TASK_IDS: [AtomicU64; BLOCKING_TASKS] = [const { AtomicU64::new(0) }; BLOCKING_TASKS];
/// How many were written.
static BLOCKING_TASK_NEXT: AtomicUsize = AtomicUsize::new(0);

/// A tokio-style blocking call (`blocking_recv`, `blocking_lock`, ...) is
/// made: tokio panics in those on a runtime's worker, so when the thread
/// runs a tokio task, that task is a `spawn_blocking` closure, and
/// its node says so (instead of "spawned with tokio::spawn"). Remembers the
/// last [`BLOCKING_TASKS`] such tasks; an older one is labelled as a
/// plain task again.
pub fn note_blocking_call() {
    let Some(task) = tokio::task::try_id() else {
        return;
    };
    let id = foreign_id(task);
    // The thread's last one, and when it was written: while the ring has
    // not come round since, a blocking loop's every call is two compares.
    thread_local! {
        static NOTED: std::cell::Cell<(NodeId, usize)> = const { std::cell::Cell::new((0, 0)) };
    }
    let next = BLOCKING_TASK_NEXT.load(Ordering::Relaxed);
    let noted = NOTED.try_with(std::cell::Cell::get).unwrap_or((0, 0));
    if noted.0 == id && next.wrapping_sub(noted.1) < BLOCKING_TASKS {
        return;
    }
    if is_blocking_task(id) {
        return;
    }
    // Its cell, for who awaits its `JoinHandle` (`task_join`): its
    // blocking waits note no waker.
    if let Some(header) = crate::task_cell::blocking_header(task_number(task)) {
        // SAFETY: the header of the task polling now, whose id it carries.
        unsafe { crate::task_waker::keep_cell(id, header) };
    }
    let n = BLOCKING_TASK_NEXT.fetch_add(1, Ordering::Relaxed);
    BLOCKING_TASK_IDS[n % BLOCKING_TASKS].store(id, Ordering::Relaxed);
    let _ = NOTED.try_with(|c| c.set((id, n)));
}

fn is_blocking_task(id: NodeId) -> bool {
    BLOCKING_TASK_IDS.iter().any(|t| t.load(Ordering::Relaxed) == id)
}

/// The location of plain tokio task `id`'s node.
fn foreign_location(id: NodeId) -> &'static str {
    if is_blocking_task(id) { BLOCKING_LOCATION } else { FOREIGN_LOCATION }
}

fn foreign_name(task: impl std::fmt::Display) -> Cow<'static, str> {
    Cow::Owned(format!("tokio task {task}"))
}

/// The registered root for tokio task `id`, made if none is live.
pub fn foreign_task(id: tokio::task::Id) -> Arc<AmbientHandle> {
    let mut map = FOREIGN_TASKS.lock();
    if let Some(h) = map.get(&id).and_then(Weak::upgrade) {
        return h;
    }
    let root = AmbientRoot {
        core: NodeCore::with_id(foreign_id(id), NodeKind::Task, foreign_name(id), SourceLocation::Static(foreign_location(foreign_id(id)))),
        tokio_id: Some(task_number(id)),
        os_thread: 0,
        test_scope: crate::test::scope::current(),
        stats: PollStats::default(),
    };
    let handle = Arc::new(AmbientHandle { reg: Registered::new(root), key: Some(id) });
    map.insert(id, Arc::downgrade(&handle));
    handle
}

thread_local! {
    /// This thread's root, kept once something on the thread held a
    /// resource, so a plain thread's uncontended lock does not register and
    /// remove a root around every hold.
    static KEPT_THREAD_ROOT: std::cell::OnceCell<Arc<AmbientHandle>> = const { std::cell::OnceCell::new() };
}

/// This thread's root as a holder, kept by the thread until it
/// exits (a guard that outlives the thread names a holder that is gone,
/// and its edge is dropped with that node). During the thread's teardown,
/// when the kept root is gone, a root that the caller keeps alive.
pub(crate) fn kept_thread_root() -> crate::context::Actor {
    match KEPT_THREAD_ROOT.try_with(|slot| slot.get_or_init(thread_root).id()) {
        Ok(id) => crate::context::Actor { id, keep: None },
        Err(_) => {
            let root = thread_root();
            crate::context::Actor { id: root.id(), keep: Some(root) }
        }
    }
}

/// This thread's kept root's id, if it has one; makes none.
pub(crate) fn kept_thread_root_id() -> Option<NodeId> {
    KEPT_THREAD_ROOT.try_with(|slot| slot.get().map(|r| r.id())).ok().flatten()
}

/// This thread's `block_on` root's id, while it has one; makes none.
pub(crate) fn thread_root_id() -> Option<NodeId> {
    THREAD_ROOT.try_with(|slot| slot.borrow().upgrade().map(|r| r.id())).ok().flatten()
}

/// Whether `root` is this thread's `block_on` root (no reference counting).
pub fn is_thread_root(root: &Arc<AmbientHandle>) -> bool {
    THREAD_ROOT.try_with(|slot| std::ptr::eq(slot.borrow().as_ptr(), Arc::as_ptr(root))).unwrap_or(false)
}

pub(crate) fn thread_root() -> Arc<AmbientHandle> {
    let make = || {
        let thread = std::thread::current();
        let name = Cow::Owned(format!("thread {}", thread.name().unwrap_or("(unnamed)")));
        let root = AmbientRoot {
            core: NodeCore::new(NodeKind::Thread, name, SourceLocation::Static("(block_on)")),
            tokio_id: None,
            os_thread: crate::census::os_thread_id(),
            test_scope: crate::test::scope::current(),
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
            // So that a wait ready at once counts its waker too (once).
            crate::thread_waker::learn();
            h
        })
        .unwrap_or_else(|_| make())
}
