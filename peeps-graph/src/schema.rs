//! The serde types of schema `peeps/1`. See `docs/schema.md` for the format
//! as a script writer reads it.

use serde::{Deserialize, Serialize};

/// The schema tag every snapshot carries in its `schema` field.
pub const SCHEMA: &str = "peeps/1";

/// A node's id, unique within one process. Across processes a node is named
/// by `(process.key, id)`.
pub type NodeId = u64;

/// Free-form attributes of a node or edge. The names that carry meaning are
/// listed in [`crate::attr`].
pub type Attrs = serde_json::Map<String, serde_json::Value>;

/// One process at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    /// Always [`SCHEMA`] (`"peeps/1"`).
    pub schema: String,
    /// The process this snapshot was taken in.
    pub process: Process,
    /// Wall-clock time of the capture, in milliseconds since the Unix epoch.
    pub captured_at_ms: u64,
    /// Every live node: futures, tasks, resources, requests, handlers, threads.
    pub nodes: Vec<Node>,
    /// Who waits on whom. Both ends name nodes of this snapshot.
    pub edges: Vec<Edge>,
    /// The runtime's OS threads, with what each is polling.
    #[serde(default)]
    pub threads: Vec<ThreadInfo>,
    /// The order in which the process has taken its locks, learned since it
    /// started (see `docs/lock-order.md`): absent when it took no
    /// instrumented lock, or in dumps older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_order: Option<crate::lock_order::LockOrder>,
    /// How it got here: the recorded events that concern what is blocked,
    /// and the latest ones (see [`crate::history`]). Absent when the
    /// recorder is off (`PEEPS_HISTORY=0`) or in older dumps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<crate::history::History>,
    /// The tokio tasks alive in the process's runtimes, and how many of
    /// them peeps cannot see into (see [`TaskCensus`]). Absent when peeps
    /// saw no runtime (no peeps task, no `#[peeps::test]` body, no
    /// instrumented plain task), or in older dumps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<TaskCensus>,
}

/// A process's tokio tasks and threads at snapshot time.
///
/// A handle moved into a task peeps cannot see into (`tokio::spawn` of an
/// uninstrumented future) leaves no trace: the bytes it was moved out of
/// may stay in its old holder's state, and its old holder's uses stay on
/// record. While such a task is alive, what peeps last saw of a channel
/// end, an owned guard or an owned permit is no proof of who has it now
/// (docs/ownership.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskCensus {
    /// Tasks alive in the runtimes peeps has seen (tokio's
    /// `num_alive_tasks`, summed).
    pub alive: u64,
    /// Of those, the ones peeps cannot see into: neither peeps tasks nor
    /// plain tasks whose top-level future is instrumented (a plain task
    /// seen waiting or holding something is one: a handle moved into it is
    /// not found, and its wait may end). At least 1 when peeps knows more
    /// tasks than the runtimes it counted have alive (it missed one).
    pub unseen: u64,
    /// The process's OS threads alive (0 where peeps cannot count them:
    /// off Linux, or in older dumps).
    #[serde(default)]
    pub threads: u64,
    /// Of those, the ones peeps cannot see into: neither the main thread, a
    /// worker of a multi-thread runtime peeps has seen, a `#[peeps::test]`
    /// thread nor one of peeps' own (a `std::thread`, a `spawn_blocking`
    /// thread, busy or idle, a runtime peeps has not seen). A handle moved
    /// into a closure they run leaves no trace, as into an unseen task.
    #[serde(default)]
    pub unseen_threads: u64,
    /// How many more threads peeps accounts for than are alive: the
    /// workers of a noted runtime dropped since, behind which as many
    /// unseen threads may hide. Absent in older dumps (not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overcounted_threads: Option<u64>,
    /// Threads other than the main one that drive a runtime outside its
    /// tasks (a `block_on`, a `LocalSet`, a spawn from a plain thread),
    /// counted as seen, with no root in this snapshot: they run code peeps
    /// cannot see. Absent in older dumps (not known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rootless_drivers: Option<u64>,
}

impl TaskCensus {
    /// Whether tasks or threads peeps cannot see into are alive: a movable
    /// handle may have gone into one of them without a trace.
    pub fn anything_unseen(&self) -> bool {
        self.unseen > 0 || self.unseen_threads > 0
    }
}

/// The process a snapshot describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Process {
    /// The name given to `peeps::init_named`, or the executable's name.
    pub name: String,
    /// The OS process id.
    pub pid: u32,
    /// Unique per process lifetime: `<pid>-<start time in ns since the epoch>`.
    pub key: String,
    /// Wall-clock start of the process (when peeps first ran), ms since the epoch.
    pub started_at_ms: u64,
    /// The machine's host name, when the process could read it. Absent in
    /// dumps older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// What a node is. The kinds are fixed by the schema; see DESIGN.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A spawned task (through peeps, or a plain tokio task seen from inside).
    Task,
    /// An instrumented future (`#[peeps::instrument]`, `peeps!`).
    Future,
    /// An async or blocking mutex.
    Mutex,
    /// An async or blocking read-write lock.
    Rwlock,
    /// A semaphore (also the core of a barrier).
    Semaphore,
    /// A channel; attr `flavor` tells which (mpsc, oneshot, broadcast, watch).
    Channel,
    /// A `Notify`, a `Barrier` or a `OnceCell`: woken by anyone, so external.
    Notify,
    /// An outgoing RPC call (attrs `method`, `call_id`).
    Request,
    /// An incoming RPC call being handled (attrs `method`, `caller_call_id`).
    Handler,
    /// An OS thread, or a root future driven by `block_on` on that thread.
    Thread,
}

impl NodeKind {
    /// Every kind, in schema order.
    pub const ALL: [NodeKind; 10] = [
        NodeKind::Task,
        NodeKind::Future,
        NodeKind::Mutex,
        NodeKind::Rwlock,
        NodeKind::Semaphore,
        NodeKind::Channel,
        NodeKind::Notify,
        NodeKind::Request,
        NodeKind::Handler,
        NodeKind::Thread,
    ];

    /// The kind's name as it appears in JSON (`"task"`, `"mutex"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Task => "task",
            NodeKind::Future => "future",
            NodeKind::Mutex => "mutex",
            NodeKind::Rwlock => "rwlock",
            NodeKind::Semaphore => "semaphore",
            NodeKind::Channel => "channel",
            NodeKind::Notify => "notify",
            NodeKind::Request => "request",
            NodeKind::Handler => "handler",
            NodeKind::Thread => "thread",
        }
    }

    /// True for kinds that run code and can wait: tasks, futures, threads
    /// and handlers. The others are resources that are waited on.
    pub fn is_actor(self) -> bool {
        matches!(
            self,
            NodeKind::Task | NodeKind::Future | NodeKind::Thread | NodeKind::Handler
        )
    }
}

impl std::fmt::Display for NodeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One live future, task or resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Node {
    /// Unique within the process.
    pub id: NodeId,
    /// What the node is.
    pub kind: NodeKind,
    /// The name given in code, or the construction site when none was given.
    pub name: String,
    /// Where in the source the node was made: `file:line:col`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Futures and tasks: `polling`, `pending` or `done`. Resources: `held`,
    /// `free`, `closed`, `open`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// How many ms before `captured_at_ms` the node entered `state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<u64>,
    /// Kind-specific attributes; the meaningful names are in [`crate::attr`].
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

/// What an edge means. See DESIGN.md §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// future/task → future: the parent is awaiting the child (the child was
    /// last polled from inside the parent's poll and returned `Pending`).
    Needs,
    /// future/task → resource: pending on a lock, send, recv, acquire,
    /// notification, join handle (to the task node) or RPC request.
    WaitsOn,
    /// resource → task/future: who can release it; attr `as` says how.
    HeldBy,
    /// request → handler, across processes; added when graphs are merged.
    Calls,
    /// task → task: lineage, for display only.
    Spawned,
}

impl EdgeKind {
    /// Every kind, in schema order.
    pub const ALL: [EdgeKind; 5] = [
        EdgeKind::Needs,
        EdgeKind::WaitsOn,
        EdgeKind::HeldBy,
        EdgeKind::Calls,
        EdgeKind::Spawned,
    ];

    /// The kind's name as it appears in JSON (`"waits_on"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Needs => "needs",
            EdgeKind::WaitsOn => "waits_on",
            EdgeKind::HeldBy => "held_by",
            EdgeKind::Calls => "calls",
            EdgeKind::Spawned => "spawned",
        }
    }
}

impl std::fmt::Display for EdgeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A directed relation between two nodes of one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Edge {
    /// The waiting or holding side's node id (see [`EdgeKind`] for direction).
    pub from: NodeId,
    /// The other end's node id.
    pub to: NodeId,
    /// What the edge means.
    pub kind: EdgeKind,
    /// How many ms before `captured_at_ms` the edge appeared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_ms: Option<u64>,
    /// Edge attributes: `as` and `confirmed` on `held_by`.
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

/// One OS thread of the program's runtime.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadInfo {
    /// The OS thread id (Linux tid).
    pub tid: u64,
    /// The thread's name (`tokio-runtime-worker`, ...).
    pub name: String,
    /// The node this thread is polling right now, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling: Option<NodeId>,
    /// How many ms before `captured_at_ms` the current poll started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub polling_since_ms: Option<u64>,
    /// The thread's stack, innermost frame first, when the sampler took one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<String>,
    /// Other facts about the thread (e.g. `stack_unavailable` with a reason).
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

impl Snapshot {
    /// The node with this id, if the snapshot has one.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
}
