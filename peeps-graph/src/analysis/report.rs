//! The report: what `peeps analyze --json`, `/api/deadlocks` and the
//! watchdog share, as DESIGN.md §4 names it.
//!
//! ```json
//! { "deadlocks": [ { "certainty": "certain", "cross_process": false,
//!                    "tasks": [ {"process": "4242-17…", "id": 1, "kind": "task",
//!                                "name": "transfer-a", "location": "src/bank.rs:31:5"} ],
//!                    "resources": [ … ],
//!                    "cycle": [ {"task": {…}, "path": [ {…future…} ], "op": "lock",
//!                                "waits_on": {…}, "held_by": {…}, "as": "guard",
//!                                "confirmed": true, "via": null, "waited_ms": 5003,
//!                                "waited": "5.0 s", "wait_words": "",
//!                                "release_words": "held by"} ],
//!                    "behind": [ …steps… ],
//!                    "text": "deadlock (certain, 2 tasks, 1 process):\n  task …" } ],
//!   "long_waits": [ … ], "stuck_forever": [ … ], "blocking_polls": [ … ] }
//! ```
//!
//! Every list is ranked by duration, longest first. A node is named by a
//! [`NodeRef`]: its process *key* (unique per process lifetime) and id, with
//! its kind, name and location so a reader needs nothing else.

use super::findings::Finding;
use crate::merge::{Merged, NodeIndex};
use crate::op::Op;
use crate::schema::{NodeId, NodeKind};
use serde::{Deserialize, Serialize};

/// A node named across processes: `(process key, id)`, with what a person
/// needs to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NodeRef {
    /// The process's key (`Process::key`): unique per process lifetime.
    pub process: String,
    /// The node's id in that process.
    pub id: NodeId,
    /// What the node is.
    pub kind: NodeKind,
    /// The node's name.
    pub name: String,
    /// Where the node was made (`file:line:col`), when known.
    pub location: Option<String>,
}

impl NodeRef {
    /// The reference to the merged node `ix`.
    pub fn of(merged: &Merged<'_>, ix: NodeIndex) -> NodeRef {
        let node = merged.node(ix);
        NodeRef {
            process: merged.process_of(ix).process.key.clone(),
            id: node.id,
            kind: node.kind,
            name: node.name.clone(),
            location: node.location.clone(),
        }
    }
}

/// How sure a deadlock is (DESIGN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Every edge in it is certain.
    Certain,
    /// It rests on a guess, said in its text: a task not spawned through
    /// peeps, whose waker cannot be accounted (something unseen may still
    /// wake it), or a holder peeps saw a handle move into but did not find
    /// it in (it may have passed it on since). A holder peeps could only
    /// guess from who made the handle is never counted at all.
    Probable,
}

impl Certainty {
    /// `"certain"` or `"probable"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::Certain => "certain",
            Certainty::Probable => "probable",
        }
    }
}

impl std::fmt::Display for Certainty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step of a wait chain: `task` (through the futures of `path`) waits
/// on `waits_on`, which `held_by` must release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    /// The waiting task (or `block_on` thread).
    pub task: NodeRef,
    /// The futures inside the task, outermost first, down to the one that
    /// waits. Empty when the task itself waits.
    pub path: Vec<NodeRef>,
    /// The operation waited for (`lock`, `recv`, `join`, ...), when known.
    pub op: Option<Op>,
    /// The resource waited on (for a join, the joined task; for an RPC, the
    /// request).
    pub waits_on: NodeRef,
    /// The task that must act to release it: the holder, the joined task,
    /// or the task running the remote handler.
    pub held_by: NodeRef,
    /// How it is held: `guard`, `read_guard`, `permit`, `sender`,
    /// `receiver`, `initialiser`, `notifier`; none for a join or an RPC.
    #[serde(rename = "as")]
    pub held_as: Option<String>,
    /// False when the holder rests on a guess: a move peeps saw into it
    /// (at spawn, in a message, through a join) that it may have passed on
    /// since, the handle not being in its own state.
    pub confirmed: bool,
    /// What peeps saw of the hold (see `peeps_graph::Evidence`): none for
    /// a guard or permit bound to its task, a join or an RPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<crate::Evidence>,
    /// The handle was found in the holder's own state at the snapshot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_state: bool,
    /// The channel carrying the handle in an unread message: `held_by`
    /// holds that channel's receiver and must read the message first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<NodeRef>,
    /// The lock every use peeps saw of a shared handle was made under:
    /// `held_by` holds it, and whoever uses the handle next must take it
    /// first (a receiver shared by workers as `Arc<Mutex<Receiver>>`). A
    /// guess: the step is unconfirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarded_by: Option<NodeRef>,
    /// The handle is kept in `guarded_by`'s value (put there, as the lock
    /// was made or under a write guard), not only used under it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
    /// For an RPC request: the handler serving it.
    pub via: Option<NodeRef>,
    /// How long the wait has lasted, when known.
    pub waited_ms: Option<u64>,
    /// `waited_ms` in words (`5.0 s`).
    #[serde(default)]
    pub waited: Option<String>,
    /// Where the wait was made (`file:line:col` of the `lock()`, `recv()`,
    /// ... call), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// What comes between the task and the resource in the step's line:
    /// `waits at src/main.rs:25 to lock`, `waits to receive from`, `waits
    /// for` (a join).
    #[serde(default)]
    pub wait_words: String,
    /// What follows the resource in the step's line: `to finish` (a join),
    /// `to be closed`, `to change`, or nothing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wait_after: String,
    /// Where the hold released was taken (`file:line:col` of the call),
    /// when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at: Option<String>,
    /// The lock was handed to this future (or task) of the holder, which
    /// it no longer polls: the hand-off never completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_to: Option<NodeRef>,
    /// The hold was taken by this future of the holder, which it no longer
    /// polls (it will never release it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_in: Option<NodeRef>,
    /// The wait is queued behind `held_by`'s, which must be served first:
    /// a read behind a writer queued ahead of it on a write-preferring
    /// rwlock, or an acquire behind one queued ahead of it on a fair
    /// semaphore (while permits are free).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub behind_writer: bool,
    /// What comes before the holder in the step's release line: `held
    /// since src/main.rs:31 by`, `read-locked by`, `sender probably held
    /// by`, `behind the queued writer`, `queued behind the acquire of`,
    /// `handled by`; none for a join.
    #[serde(default)]
    pub release_words: Option<String>,
    /// How the holder came to have it, said in parentheses after the
    /// holder: `moved in at spawn`, `received in a message`, `made there,
    /// still in its state`, with why it is a guess when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_note: Option<String>,
}

impl Step {
    /// A step of `task` waiting on `waits_on`, released by `held_by`, and
    /// nothing else known: callers set what they know over it.
    pub(crate) fn bare(task: NodeRef, waits_on: NodeRef, held_by: NodeRef) -> Step {
        Step {
            task,
            path: Vec::new(),
            op: None,
            waits_on,
            held_by,
            held_as: None,
            confirmed: true,
            evidence: None,
            in_state: false,
            carrier: None,
            guarded_by: None,
            kept: false,
            via: None,
            waited_ms: None,
            waited: None,
            at: None,
            wait_words: String::new(),
            wait_after: String::new(),
            held_at: None,
            handed_to: None,
            taken_in: None,
            behind_writer: false,
            release_words: None,
            release_note: None,
        }
    }
}

/// A set of tasks that can never make progress, around a cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Deadlock {
    /// `certain` or `probable`.
    pub certainty: Certainty,
    /// Its tasks are in more than one process.
    pub cross_process: bool,
    /// Its tasks: the cycle's first, in cycle order.
    pub tasks: Vec<NodeRef>,
    /// The resources its tasks wait on (joined tasks excluded).
    pub resources: Vec<NodeRef>,
    /// The cycle, one step per task, back to the first.
    pub cycle: Vec<Step>,
    /// Members of the deadlock the written cycle does not pass through
    /// (another cycle of the same strongly connected group), one step each.
    #[serde(default)]
    pub others: Vec<Step>,
    /// Tasks stuck behind it, each with the step it waits through.
    pub behind: Vec<Step>,
    /// How it formed: the recorded events among its tasks and resources,
    /// oldest first (empty when the snapshots carry no history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<super::timeline::TimelineEntry>,
    /// Events of that span left out of `timeline` (`peeps history` has
    /// them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub timeline_omitted: usize,
    /// Found only because nothing in its process can run again: every task
    /// and thread there is pending, and nothing but their own waits holds
    /// their wakers (so no way out peeps cannot name can be taken).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nothing_runs: bool,
    /// The deadlock in words, as printed.
    pub text: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Deadlock {
    /// A key naming this deadlock across snapshots of the same processes:
    /// its tasks' `(process key, id)`, sorted. The watchdog prints each key
    /// once.
    pub fn key(&self) -> Vec<(String, NodeId)> {
        let mut key: Vec<(String, NodeId)> = self
            .tasks
            .iter()
            .map(|t| (t.process.clone(), t.id))
            .collect();
        key.sort();
        key
    }
}

/// A task blocked longer than the threshold on something that is not a
/// deadlock: a stall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LongWait {
    /// The waiting task.
    pub task: NodeRef,
    /// The futures inside it down to the one that waits.
    pub path: Vec<NodeRef>,
    /// The operation waited for.
    pub op: Option<Op>,
    /// Where the wait was made, when known, as in [`Step`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// What comes between the task and the resource in its line, as in
    /// [`Step`].
    #[serde(default)]
    pub wait_words: String,
    /// What follows the resource in its line, as in [`Step`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wait_after: String,
    /// What it waits on.
    pub waits_on: NodeRef,
    /// How long it has waited.
    pub waited_ms: u64,
    /// `waited_ms` in words.
    #[serde(default)]
    pub waited: String,
    /// The tasks that could release it (empty when that is outside peeps'
    /// view, e.g. a `notify`).
    pub held_by: Vec<NodeRef>,
    /// The long wait in words, as printed.
    pub text: String,
}

/// A pending task that holds no clone of its waker (and has no
/// instrumented wait that could hand it one): nothing can ever wake it. A
/// leak, such as a future that returns `Pending` without keeping the waker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StuckForever {
    /// The task.
    pub task: NodeRef,
    /// How long it has been pending.
    pub stuck_ms: u64,
    /// `stuck_ms` in words.
    #[serde(default)]
    pub stuck: String,
    /// Tasks stuck behind it, each with the step it waits through.
    pub behind: Vec<Step>,
    /// Stuck because nothing in its process can run again (it waits on
    /// something only a task or thread there could end, and every one of
    /// them waits with nothing else to wake it), not because it holds no
    /// waker.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nothing_runs: bool,
    /// What it waits on, when `nothing_runs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<StuckWait>,
    /// The finding in words, as printed.
    pub text: String,
}

/// One wait of a task stuck forever because nothing in its process can
/// run again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StuckWait {
    /// The futures inside the task down to the one that waits.
    pub path: Vec<NodeRef>,
    /// The operation waited for.
    pub op: Option<Op>,
    /// Where the wait was made, when known, as in [`Step`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// What comes between the task and the resource in its line, as in
    /// [`Step`].
    pub wait_words: String,
    /// What follows the resource in its line, as in [`Step`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wait_after: String,
    /// What it waits on.
    pub waits_on: NodeRef,
    /// How long it has waited.
    pub waited_ms: u64,
}

/// The OS thread a blocking poll runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadRef {
    /// The OS thread id.
    pub tid: u64,
    /// The thread's name.
    pub name: String,
    /// Its stack, innermost frame first, when the sampler took one.
    pub stack: Vec<String>,
    /// How many stack samples `stack` and `dominant_frames` come from.
    #[serde(default)]
    pub samples: u64,
    /// The frames present in at least half the samples, innermost first:
    /// where the poll spends its time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dominant_frames: Vec<FrameShare>,
    /// Why the stack is missing or holds only the innermost frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack_unavailable: Option<String>,
}

/// A frame and the number of samples it appears in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FrameShare {
    /// The frame, `name (file:line)`.
    pub frame: String,
    /// How many samples it appears in.
    pub samples: u64,
}

/// A poll running longer than the threshold: it blocks a runtime thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BlockingPoll {
    /// The task (or `block_on` thread) being polled.
    pub task: NodeRef,
    /// The futures being polled inside it, outermost first; the last is the
    /// innermost instrumented future inside the poll.
    pub path: Vec<NodeRef>,
    /// How long the poll has been running.
    pub polling_ms: u64,
    /// `polling_ms` in words.
    #[serde(default)]
    pub polling: String,
    /// The thread it runs on, when the snapshot says.
    pub thread: Option<ThreadRef>,
    /// The instrumented blocking lock the poll is parked on, or what an
    /// executor nested in the poll (`block_on`) waits for, if any.
    pub parked_on: Option<NodeRef>,
    /// The finding in words, as printed.
    pub text: String,
}

/// Everything the analysis found. Each list is ranked by duration, longest
/// first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// Sets of tasks that can never make progress, around a cycle.
    pub deadlocks: Vec<Deadlock>,
    /// Tasks blocked longer than the threshold, not deadlocked.
    pub long_waits: Vec<LongWait>,
    /// Blocked tasks that hold no waker clone.
    pub stuck_forever: Vec<StuckForever>,
    /// Polls running longer than the threshold.
    pub blocking_polls: Vec<BlockingPoll>,
    /// Cycles in the order the processes take their locks: deadlocks that
    /// have not happened (see `docs/lock-order.md`).
    #[serde(default)]
    pub potential_deadlocks: Vec<super::PotentialDeadlock>,
    /// What each process has learned of its lock order, and what it could
    /// not keep.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lock_order: Vec<super::LearnedOrder>,
}

impl Report {
    /// True when a deadlock was found (`peeps analyze` exits 1).
    pub fn has_deadlock(&self) -> bool {
        !self.deadlocks.is_empty()
    }

    /// True when nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.deadlocks.is_empty()
            && self.long_waits.is_empty()
            && self.stuck_forever.is_empty()
            && self.blocking_polls.is_empty()
            && self.potential_deadlocks.is_empty()
    }

    /// True when a potential deadlock was found (`peeps analyze
    /// --fail-on-potential` exits 1).
    pub fn has_potential_deadlock(&self) -> bool {
        !self.potential_deadlocks.is_empty()
    }

    /// The whole report in words: each finding's text followed by a blank
    /// line — deadlocks, then stuck forever, long waits, blocking polls —
    /// then the potential deadlocks in a section of their own, then a
    /// one-line count.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let texts = self
            .deadlocks
            .iter()
            .map(Finding::text)
            .chain(self.stuck_forever.iter().map(Finding::text))
            .chain(self.long_waits.iter().map(Finding::text))
            .chain(self.blocking_polls.iter().map(Finding::text));
        for text in texts {
            out.push_str(text);
            out.push_str("\n\n");
        }
        out.push_str(&super::potential::section(self));
        out.push_str(&self.counts());
        out.push('\n');
        out
    }

    /// One line: how many of each finding.
    pub fn counts(&self) -> String {
        use super::words::count;
        format!(
            "{}, {} stuck forever, {}, {}",
            count(self.deadlocks.len(), "deadlock", "deadlocks"),
            self.stuck_forever.len(),
            count(self.long_waits.len(), "long wait", "long waits"),
            count(self.blocking_polls.len(), "blocking poll", "blocking polls"),
        ) + &super::potential::count_words(self)
    }
}
