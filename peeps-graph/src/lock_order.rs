//! The order in which a process takes its locks, as learned at run time:
//! the `lock_order` section of a snapshot (see `docs/lock-order.md`).
//!
//! Every time a task (or a thread, for blocking locks) takes an
//! instrumented lock while it holds others, the runtime records an *order
//! edge* held → acquired between the two locks' **classes** (a lock's
//! class is its name when it was given one, else its construction site),
//! with one example of who did it, where, and when. Two locks of one class
//! taken one inside the other are recorded between the two *locks*
//! themselves (`from_lock`, `to_lock`): per-account locks taken in a
//! consistent order are then no cycle, where a class-level edge would be one
//! with itself. A cycle in this graph is a *potential* deadlock: the
//! program never hung, but run at the same time, the paths of the cycle can
//! deadlock (`peeps_graph::analysis::PotentialDeadlock`) — unless one lock
//! held around every edge of it, exclusively around one at least (a gate,
//! [`OrderGate`]), keeps its paths apart.

use crate::schema::{NodeId, NodeKind};
use serde::{Deserialize, Serialize};

/// The order graph a process has learned so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LockOrder {
    /// Every class of lock taken so far, by id.
    pub classes: Vec<LockClass>,
    /// Every order edge learned so far: one lock held while another was
    /// taken.
    pub edges: Vec<OrderEdge>,
    /// What was not recorded, because a bound was reached.
    #[serde(default)]
    pub dropped: OrderDrops,
}

/// A class of locks: all the locks with one name, or made at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LockClass {
    /// The class's id in this process (what [`OrderEdge::from`] and
    /// [`OrderEdge::to`] name).
    pub id: u32,
    /// `mutex`, `rwlock` or `semaphore`.
    pub kind: NodeKind,
    /// The locks' name (`.named(..)`), or their construction site
    /// (`file:line`).
    pub name: String,
    /// Where the first lock of the class was made (`file:line:col`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The class is a lock's given name (not its construction site).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub named: bool,
    /// Some lock of the class was taken for writing (an rwlock's `write`):
    /// a writer may queue between two readers.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub written: bool,
    /// The locks are `peeps::sync::blocking` (parking_lot) locks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
}

/// How a lock was held, or taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LockMode {
    /// Exclusively: a mutex's guard, an rwlock's write (or upgradable) guard.
    Write,
    /// An rwlock's read guard, which waits behind a queued writer.
    Read,
    /// A blocking rwlock's `read_recursive`, which never waits for writers.
    ReadRecursive,
    /// A semaphore's permit (or several).
    Permit,
}

impl LockMode {
    /// The mode's name as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Write => "write",
            LockMode::Read => "read",
            LockMode::ReadRecursive => "read_recursive",
            LockMode::Permit => "permit",
        }
    }

    /// A read, of either kind.
    pub fn is_read(self) -> bool {
        matches!(self, LockMode::Read | LockMode::ReadRecursive)
    }
}

/// One lock held while another was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderEdge {
    /// The class of the lock held.
    pub from: u32,
    /// The class of the lock taken.
    pub to: u32,
    /// How the held lock was held.
    pub held: LockMode,
    /// How the other was taken.
    pub acquired: LockMode,
    /// For two locks of one class: the lock held (its node id). An edge
    /// between two classes has none: it stands for every lock of each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_lock: Option<NodeId>,
    /// For two locks of one class: the lock taken. Equal to `from_lock`
    /// when a task took a lock it already held (a second read, a second
    /// permit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_lock: Option<NodeId>,
    /// Its gates: the locks held every time the edge was seen, each taken
    /// before the held lock and held until the other was taken (at most
    /// [`MAX_GATES`], the first taken, an exclusive one in place of the
    /// last shared one), each exclusively or shared. Empty
    /// when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<OrderGate>,
    /// Its wait can be given up: an acquisition of the taken lock at the
    /// example's site, the held one held, was seen dropped while it waited
    /// (under a timeout, in a `select!` branch that lost), and no other
    /// site was seen making the edge. No cycle through it hangs for good,
    /// so none is reported (see `docs/lock-order.md`, "Waits given up").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bounded: bool,
    /// The locks it was seen holding (node ids, ascending), at most
    /// [`MAX_EDGE_LOCKS`]. A cycle through a class closes only where a
    /// lock one edge took is one the next edge held (see
    /// `docs/lock-order.md`, "Locks of one class: instances"). Empty in
    /// older dumps: any lock of the class.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_locks: Vec<NodeId>,
    /// It was seen holding more locks than `held_locks` could list (or
    /// the budget of listed locks was spent): any.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_held: bool,
    /// The locks it was seen taking (node ids, ascending), at most
    /// [`MAX_EDGE_LOCKS`]; empty in older dumps: any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taken_locks: Vec<NodeId>,
    /// It was seen taking more locks than `taken_locks` could list: any.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub more_taken: bool,
    /// The first time it was seen.
    pub example: OrderExample,
}

impl OrderEdge {
    /// Whether a cycle can go on from this edge to `next` at the lock
    /// they meet at: one lock this edge took is one `next` held (or
    /// either says any lock of the class).
    pub fn meets(&self, next: &OrderEdge) -> bool {
        let took_any = self.more_taken || self.taken_locks.is_empty();
        let held_any = next.more_held || next.held_locks.is_empty();
        took_any
            || held_any
            || self
                .taken_locks
                .iter()
                .any(|took| next.held_locks.binary_search(took).is_ok())
    }
}

/// How many locks an order edge lists on each side at most (see
/// [`OrderEdge::held_locks`]); past that, the side meets any lock.
pub const MAX_EDGE_LOCKS: usize = 256;

/// How many gates an order edge keeps at most (the first ones taken, an
/// exclusive one in place of the last shared one).
pub const MAX_GATES: usize = 4;

/// A lock held around every observation of an order edge: exclusively (a
/// mutex, an rwlock's write or upgradable guard, a permit that took all
/// its semaphore's permits) or shared (a read, a permit of some). Two
/// paths that both hold it, one of them exclusively, cannot run at once,
/// so a cycle whose every edge has it, one edge at least exclusively,
/// cannot deadlock (see `docs/lock-order.md`, "Gate locks").
///
/// A gate is one lock, not its class: two locks of one class (per-shard
/// gates made at one site) do not keep each other's holders apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderGate {
    /// The lock's class (a [`LockClass::id`]).
    pub class: u32,
    /// The lock (its node id).
    pub lock: NodeId,
    /// Held shared (a read, a permit of some) in one observation at least:
    /// it keeps this edge's path apart only from paths holding it
    /// exclusively.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

/// Who took the two locks of an order edge, where, and when (the first
/// time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderExample {
    /// The task (or thread) that did: its node id (it may be gone by now).
    pub task: NodeId,
    /// `task` or `thread`.
    pub task_kind: NodeKind,
    /// Its name then.
    pub task_name: String,
    /// The lock held (node id).
    pub held_lock: NodeId,
    /// The held lock's name then.
    pub held_name: String,
    /// The lock taken (node id).
    pub acquired_lock: NodeId,
    /// The taken lock's name then.
    pub acquired_name: String,
    /// Where the held lock was taken (`file:line:col`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at: Option<String>,
    /// Where the other was taken, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_at: Option<String>,
    /// How many ms before `captured_at_ms` it happened.
    pub since_ms: u64,
    /// The `#[peeps::test]` run the task belonged to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_scope: Option<u64>,
}

/// What the runtime did not record, because a bound was reached; each a
/// count since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderDrops {
    /// Locks whose class was not recorded: the class table was full.
    #[serde(default)]
    pub classes: u64,
    /// Order edges not recorded: the edge table was full.
    #[serde(default)]
    pub edges: u64,
    /// Acquisitions not followed: the task already held as many locks as
    /// peeps follows per task.
    #[serde(default)]
    pub held: u64,
    /// Locks an order edge was seen between and could not list: the
    /// budget of listed locks was spent (each such edge meets any lock of
    /// its classes).
    #[serde(default)]
    pub edge_locks: u64,
}

impl OrderDrops {
    /// Nothing was dropped.
    pub fn is_empty(&self) -> bool {
        self.classes == 0 && self.edges == 0 && self.held == 0 && self.edge_locks == 0
    }
}

impl LockOrder {
    /// The class with id `id`.
    pub fn class(&self, id: u32) -> Option<&LockClass> {
        self.classes.iter().find(|c| c.id == id)
    }
}
