//! Every live task with its logical stack, as Go prints every goroutine
//! when a test times out: what a person reads when a program is slow or
//! stuck without a deadlock.
//!
//! A task's stack is the tree of instrumented futures under it (`needs`
//! edges), outermost first, and under each the waits (`waits_on` edges) it
//! has pending: what it waits on, for how long, and who holds that. A task
//! (or `block_on` thread) that waits directly has its waits right under its
//! headline.
//!
//! ```text
//! task "holder" (tests/a.rs:30), spawned by task "t" (tests/a.rs:9), pending for 1.9 s:
//!   future "outer" (tests/a.rs:20)
//!     future "inner" (tests/a.rs:22)
//!       waits at tests/a.rs:14 to receive from channel "replies" (made at tests/a.rs:12) for 1.9 s
//!         sender held by task "replier" (tests/a.rs:40)
//! ```
//!
//! Names follow the findings' convention (see `findings`): `kind "name"`,
//! the location at a node's first mention in one task's text.

use super::blocked::{OpSide, op_side};
use super::report::{NodeRef, Step};
use super::words::{Labels, Words, duration, wait_words};
use crate::schema::{EdgeKind, Node, NodeId, NodeKind, Snapshot};
use crate::{Op, attr};
use std::collections::{HashMap, HashSet};

/// How many holders of one resource a wait lists before `and N more`.
const LISTED_HOLDERS: usize = 3;

/// One live task (or `block_on` thread) and its logical stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStack {
    /// The task.
    pub task: NodeRef,
    /// Its state as the snapshot says (`pending`, `polling`, `done`).
    pub state: Option<String>,
    /// How long it has been in that state (for a running poll: how long
    /// the poll has run), when known.
    pub since_ms: Option<u64>,
    /// Woken since its last poll returned `Pending`: about to run (tasks
    /// spawned through peeps only).
    pub woken: bool,
    /// How many clones of its waker are alive, for a task spawned through
    /// peeps (0 while pending: nothing can ever wake it).
    pub waker_clones: Option<u64>,
    /// The task that spawned it, when it was spawned through peeps from
    /// inside another peeps task.
    pub spawned_by: Option<NodeRef>,
    /// The task itself (depth 0), then its futures in depth-first order,
    /// each with the waits it has pending.
    pub frames: Vec<StackFrame>,
    /// The task and its stack in words, as printed.
    pub text: String,
}

/// One level of a task's stack: the task itself or a future inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackFrame {
    /// 0 for the task, 1 for the futures it awaits directly, and so on.
    pub depth: usize,
    /// The task or future.
    pub node: NodeRef,
    /// What it waits on (usually none above the leaves).
    pub waits: Vec<StackWait>,
}

/// A pending wait at the leaf of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackWait {
    /// The operation (`lock`, `recv`, `join`, ...), when known.
    pub op: Option<Op>,
    /// Where the wait was made (`file:line:col`), when known.
    pub at: Option<String>,
    /// What is waited on.
    pub on: NodeRef,
    /// How long the wait has lasted, when known.
    pub waited_ms: Option<u64>,
    /// Who holds what is waited on (the tasks its `held_by` edges name).
    /// Empty for a join.
    pub held_by: Vec<StackHolder>,
}

/// A task holding what a wait waits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackHolder {
    /// The holding task (the root above the node the `held_by` edge names).
    pub task: NodeRef,
    /// How it holds it (`guard`, `read_guard`, `permit`, `sender`, ...).
    pub held_as: Option<String>,
    /// False when peeps could only guess the holder (`confirmed: false`).
    pub confirmed: bool,
    /// The line of the call that took the hold, `file:line:col`, when known.
    pub at: Option<String>,
}

/// The stacks of the tasks of `snapshot` that `keep` accepts, in node-id
/// order (spawn order), each with its text.
///
/// # Examples
///
/// ```
/// use peeps_graph::{Snapshot, analysis};
///
/// let snap = Snapshot::from_json(include_str!("../../../docs/example-dump.json")).unwrap();
/// let stacks = analysis::task_stacks(&snap, |_| true);
/// assert_eq!(stacks.len(), 2);
/// assert!(stacks[0].text.starts_with("task \"transfer-a\" (src/bank.rs:31), pending for 5.0 s:"));
/// ```
pub fn task_stacks(snapshot: &Snapshot, mut keep: impl FnMut(&Node) -> bool) -> Vec<TaskStack> {
    let tree = Tree::new(snapshot);
    let labels = Labels::default();
    snapshot
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Task | NodeKind::Thread) && keep(n))
        .map(|root| {
            let mut stack = tree.stack(root);
            stack.text = stack.format(&labels);
            stack
        })
        .collect()
}

/// A `waits_on` edge, seen from its waiter.
struct WaitEdge {
    on: NodeId,
    op: Option<Op>,
    at: Option<String>,
    since_ms: Option<u64>,
}

/// A `held_by` edge, seen from its resource.
struct HoldEdge {
    holder: NodeId,
    held_as: Option<String>,
    confirmed: bool,
    at: Option<String>,
}

/// The snapshot's edges, indexed for walking stacks.
struct Tree<'s> {
    snapshot: &'s Snapshot,
    nodes: HashMap<NodeId, &'s Node>,
    /// Future → the futures it awaits (`needs`), in id order.
    children: HashMap<NodeId, Vec<NodeId>>,
    /// Future → the node awaiting it.
    parent: HashMap<NodeId, NodeId>,
    /// Waiter → its `waits_on` edges.
    waits: HashMap<NodeId, Vec<WaitEdge>>,
    /// Resource → its `held_by` edges.
    holders: HashMap<NodeId, Vec<HoldEdge>>,
    /// Task → the task that spawned it.
    spawned_by: HashMap<NodeId, NodeId>,
}

impl<'s> Tree<'s> {
    fn new(snapshot: &'s Snapshot) -> Self {
        let mut tree = Tree {
            snapshot,
            nodes: snapshot.nodes.iter().map(|n| (n.id, n)).collect(),
            children: HashMap::new(),
            parent: HashMap::new(),
            waits: HashMap::new(),
            holders: HashMap::new(),
            spawned_by: HashMap::new(),
        };
        for e in &snapshot.edges {
            match e.kind {
                EdgeKind::Needs => {
                    tree.children.entry(e.from).or_default().push(e.to);
                    tree.parent.insert(e.to, e.from);
                }
                EdgeKind::WaitsOn => {
                    let op = e
                        .attrs
                        .get(attr::OP)
                        .and_then(|v| v.as_str())
                        .and_then(Op::parse);
                    let at = e
                        .attrs
                        .get(attr::AT)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned);
                    tree.waits.entry(e.from).or_default().push(WaitEdge {
                        on: e.to,
                        op,
                        at,
                        since_ms: e.since_ms,
                    });
                }
                EdgeKind::HeldBy => {
                    let held_as = e
                        .attrs
                        .get(attr::AS)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned);
                    let confirmed =
                        e.attrs.get(attr::CONFIRMED).and_then(|v| v.as_bool()) != Some(false);
                    let at = e
                        .attrs
                        .get(attr::AT)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned);
                    tree.holders.entry(e.from).or_default().push(HoldEdge {
                        holder: e.to,
                        held_as,
                        confirmed,
                        at,
                    });
                }
                EdgeKind::Spawned => {
                    tree.spawned_by.insert(e.to, e.from);
                }
                EdgeKind::Calls => {}
            }
        }
        for kids in tree.children.values_mut() {
            kids.sort_unstable();
        }
        tree
    }

    fn node_ref(&self, id: NodeId) -> Option<NodeRef> {
        let node = self.nodes.get(&id)?;
        Some(NodeRef {
            process: self.snapshot.process.key.clone(),
            id,
            kind: node.kind,
            name: node.name.clone(),
            location: node.location.clone(),
        })
    }

    /// The root (task or thread) above `id`, following `needs` upwards.
    fn root_of(&self, mut id: NodeId) -> NodeId {
        let mut seen = HashSet::new();
        while let Some(&up) = self.parent.get(&id) {
            if !seen.insert(id) {
                break;
            }
            id = up;
        }
        id
    }

    fn stack(&self, root: &Node) -> TaskStack {
        let since_ms = match root.state.as_deref() {
            Some("polling") => attr_u64(root, attr::POLLING_SINCE_MS).or(root.since_ms),
            _ => root.since_ms,
        };
        let mut frames = Vec::new();
        let mut seen = HashSet::new();
        self.walk(root.id, 0, &mut frames, &mut seen);
        TaskStack {
            // `root` is a node of this snapshot, so it is in `nodes`.
            task: self.node_ref(root.id).expect("a root of the snapshot"),
            state: root.state.clone(),
            since_ms,
            woken: root.attrs.get(attr::WOKEN).and_then(|v| v.as_bool()) == Some(true),
            waker_clones: attr_u64(root, attr::WAKER_CLONES),
            spawned_by: self
                .spawned_by
                .get(&root.id)
                .and_then(|&p| self.node_ref(p)),
            frames,
            text: String::new(),
        }
    }

    /// Adds `id` at `depth`, then the futures it awaits, depth first.
    fn walk(
        &self,
        id: NodeId,
        depth: usize,
        frames: &mut Vec<StackFrame>,
        seen: &mut HashSet<NodeId>,
    ) {
        // A malformed snapshot may loop; each node is said once.
        if !seen.insert(id) {
            return;
        }
        let Some(node) = self.node_ref(id) else {
            return;
        };
        let waits = self
            .waits
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|w| {
                let on = self.node_ref(w.on)?;
                let held_by = if matches!(on.kind, NodeKind::Task | NodeKind::Thread) {
                    Vec::new()
                } else {
                    self.holders_of(w.on, w.op)
                };
                Some(StackWait {
                    op: w.op,
                    at: w.at.clone(),
                    on,
                    waited_ms: w.since_ms,
                    held_by,
                })
            })
            .collect();
        frames.push(StackFrame { depth, node, waits });
        for &child in self.children.get(&id).into_iter().flatten() {
            self.walk(child, depth + 1, frames, seen);
        }
    }

    /// The tasks holding `resource` that could end a wait for `op`, each
    /// once, with how: a channel's senders for a receive, its receivers for
    /// a send; every holder otherwise.
    fn holders_of(&self, resource: NodeId, op: Option<Op>) -> Vec<StackHolder> {
        let wanted = match op_side(op) {
            OpSide::Receive => Some(attr::AS_SENDER),
            OpSide::Send | OpSide::Closed => Some(attr::AS_RECEIVER),
            OpSide::Other => None,
        };
        let mut out: Vec<StackHolder> = Vec::new();
        for h in self.holders.get(&resource).into_iter().flatten() {
            if wanted.is_some_and(|w| h.held_as.as_deref() != Some(w)) {
                continue;
            }
            let Some(task) = self.node_ref(self.root_of(h.holder)) else {
                continue;
            };
            if !out
                .iter()
                .any(|o| o.task.id == task.id && o.held_as == h.held_as)
            {
                out.push(StackHolder {
                    task,
                    held_as: h.held_as.clone(),
                    confirmed: h.confirmed,
                    at: h.at.clone(),
                });
            }
        }
        out
    }
}

fn attr_u64(node: &Node, name: &str) -> Option<u64> {
    node.attrs.get(name).and_then(|v| v.as_u64())
}

impl TaskStack {
    /// The stack in words (see the module's example).
    fn format(&self, labels: &Labels) -> String {
        let refs = std::iter::once(&self.task).chain(&self.spawned_by);
        let mut words = Words::new(labels, refs);
        let mut out = words.node(&self.task);
        if let Some(parent) = &self.spawned_by {
            out.push_str(", spawned by ");
            out.push_str(&words.node(parent));
        }
        out.push_str(&self.state_words());
        let mut lines = String::new();
        let mut waits = 0;
        for frame in &self.frames {
            let indent = 2 * frame.depth;
            if frame.depth > 0 {
                lines.push('\n');
                lines.push_str(&" ".repeat(indent));
                lines.push_str(&words.node(&frame.node));
            }
            // The task's own waits sit right under the headline.
            let wait_indent = if frame.depth == 0 { 2 } else { indent + 2 };
            for wait in &frame.waits {
                waits += 1;
                lines.push('\n');
                lines.push_str(&" ".repeat(wait_indent));
                let (before, after) = wait_words(wait.op, wait.on.kind, wait.at.as_deref());
                lines.push_str(&words.wait(&before, after, &wait.on, wait.waited_ms));
                self.holder_lines(&mut words, wait, wait_indent + 2, &mut lines);
            }
        }
        if waits == 0 && self.state.as_deref() == Some("pending") && !self.woken {
            lines.push_str("\n  ");
            lines.push_str(if self.waker_clones == Some(0) {
                "holds no waker: nothing can ever wake it"
            } else if self.frames.len() > 1 {
                "waits inside its futures on something peeps cannot see (a timer, I/O or an uninstrumented future)"
            } else {
                "waits on something peeps cannot see (a timer, I/O or an uninstrumented future)"
            });
        }
        // A headline with nothing under it takes no colon.
        if !lines.is_empty() {
            out.push(':');
            out.push_str(&lines);
        }
        out
    }

    /// `, pending for 1.9 s`, `, polling for 2.0 s`, ...
    fn state_words(&self) -> String {
        let since = |what: &str| match self.since_ms {
            Some(ms) => format!(", {what} for {}", duration(ms)),
            None => format!(", {what}"),
        };
        match self.state.as_deref() {
            Some("polling") => since("inside a poll"),
            Some("pending") if self.woken => since("woken (about to run), pending"),
            Some("pending") => since("pending"),
            Some("done") => ", finished".to_owned(),
            Some(other) => format!(", {other}"),
            None => String::new(),
        }
    }

    /// `sender held by task "b" (loc)` lines for one wait.
    fn holder_lines(
        &self,
        words: &mut Words<'_>,
        wait: &StackWait,
        indent: usize,
        out: &mut String,
    ) {
        for holder in wait.held_by.iter().take(LISTED_HOLDERS) {
            let step = Step {
                op: wait.op,
                held_as: holder.held_as.clone(),
                confirmed: holder.confirmed,
                waited_ms: wait.waited_ms,
                at: wait.at.clone(),
                held_at: holder.at.clone(),
                ..Step::bare(self.task.clone(), wait.on.clone(), holder.task.clone())
            };
            if let Some(line) = words.release_line(&step) {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                out.push_str(&line);
            }
        }
        if wait.held_by.len() > LISTED_HOLDERS {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            out.push_str(&format!("and {} more", wait.held_by.len() - LISTED_HOLDERS));
        }
    }
}
