//! Potential deadlocks: cycles in the order a process takes its locks
//! (its snapshot's `lock_order`, see [`crate::lock_order`]), reported
//! although the program never hung.
//!
//! Three kinds:
//!
//! - **inversion**: a cycle of order edges, each one lock held while the
//!   next was taken, by tasks that may have run hours apart. Run at the
//!   same time, those paths can deadlock. The cycle goes through classes
//!   (every lock of a class stands for the others), or through the locks
//!   of one class when they were taken inside each other (see
//!   `docs/lock-order.md`).
//! - **read re-entered**: a task took a read of an rwlock it already held
//!   a read of. Both tokio's and parking_lot's rwlocks are write-preferring:
//!   a writer queued between the two reads waits for the first, and the
//!   second waits behind the writer.
//! - **permit re-acquired**: a task waited for a permit of a semaphore it
//!   held a permit of: when every permit is held by tasks doing this, none
//!   can go on.
//!
//! A cycle is not reported when it only closes through readers: where one
//! task holds a read of a lock and the next waits for a read of it, both
//! can have it at once — unless the lock is ever written (a queued writer
//! then makes the second read wait), and never when the wait is a
//! `read_recursive`, which does not queue behind writers. A semaphore is
//! treated as a lock: with several permits, the cycle needs them all held.
//!
//! Nor is a cycle reported when one **gate** guards it: a lock held
//! around every observation of every edge of the cycle
//! (`OrderEdge::gates`), exclusively around one edge's at least, and not
//! itself a lock of the cycle. Its paths all need the gate, one of them
//! alone, so they cannot all run at once (a checkpointer's write of a lock
//! keeps out writers that take the same locks the other way under its
//! read; a permit that took all its semaphore's, the holders of one).
//! Reads alone keep nothing apart. A lock taken again (read
//! re-entered, permit re-acquired) is reported under a gate too: the writer
//! or the other permit holders it waits for need not hold the gate.
//!
//! Each finding is one type with `check`, `format` (in [`words`]) and
//! `summary`, as the other findings (see `super::findings`).

mod search;
#[cfg(test)]
mod tests;
mod words;

use super::findings::Finding;
use super::report::NodeRef;
use crate::lock_order::{LockMode, LockOrder, OrderDrops};
use crate::merge::Merged;
use crate::schema::{NodeId, NodeKind, Snapshot};
use serde::{Deserialize, Serialize};

/// How many potential deadlocks are reported per process at most (a dense
/// order graph has many cycles; the first ones say what is wrong).
pub const MAX_PER_PROCESS: usize = 32;

/// What kind of potential deadlock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PotentialKind {
    /// A cycle in the order locks were taken in.
    Inversion,
    /// A read of an rwlock taken while holding a read of it.
    ReadReentered,
    /// A permit of a semaphore waited for while holding one of it.
    PermitReacquired,
}

/// A lock, or a class of locks, as a potential deadlock names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LockRef {
    /// Its class's id in its process's `lock_order`.
    pub class: u32,
    /// The one lock meant (its node id), when the cycle goes through locks
    /// of one class; none when it stands for its whole class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<NodeId>,
    /// `mutex`, `rwlock` or `semaphore`.
    pub kind: NodeKind,
    /// The lock's name (its construction site when it was given none).
    pub name: String,
    /// Where the class's first lock was made (`file:line:col`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// A `peeps::sync::blocking` (parking_lot) lock.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocking: bool,
}

/// One order edge of a potential deadlock: `task` took `acquired` while it
/// held `held`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct OrderStep {
    /// The task (or thread) that did, the first time (it may have finished).
    pub task: NodeRef,
    /// The lock it held.
    pub held: LockRef,
    /// How it held it.
    pub held_as: LockMode,
    /// Where it took it (`file:line:col`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_at: Option<String>,
    /// The lock it took then.
    pub acquired: LockRef,
    /// How it took it.
    pub acquired_as: LockMode,
    /// Where it took it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquired_at: Option<String>,
    /// The gates of this step's order edge held exclusively every time it
    /// was seen (see [`crate::lock_order::OrderGate`]; those held shared
    /// are not listed). No lock is on every step, held exclusively on
    /// one, or the cycle would not be reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<LockRef>,
    /// How many ms before the snapshot it happened.
    pub since_ms: u64,
    /// `since_ms` in words.
    pub since: String,
    /// The `#[peeps::test]` run the task belonged to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_scope: Option<u64>,
}

/// A deadlock that has not happened: paths the process took at different
/// times that, run at the same time, can deadlock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PotentialDeadlock {
    /// What kind.
    pub kind: PotentialKind,
    /// The process's key.
    pub process: String,
    /// The locks of the cycle, in the order of its steps.
    pub locks: Vec<LockRef>,
    /// The cycle: one step per order edge, each step's `acquired` the next
    /// step's `held`, back to the first. One step for a lock taken again.
    pub steps: Vec<OrderStep>,
    /// The rwlocks whose queued writers the cycle needs: it closes only
    /// through two reads of each, which wait for each other only behind a
    /// writer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_writer: Vec<LockRef>,
    /// The semaphores in the cycle: it needs each one's permits all held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs_exhausted: Vec<LockRef>,
    /// The potential deadlock in words, as printed.
    pub text: String,
}

/// One edge of a [`PotentialDeadlock::key`]: the held lock's class and
/// lock (between locks of one class), the acquired one's, and both modes.
pub type EdgeName = (u32, Option<NodeId>, u32, Option<NodeId>, LockMode, LockMode);

impl PotentialDeadlock {
    /// A key naming it across snapshots of the same process: its process
    /// and its edges (classes, locks, modes), sorted. The watchdog prints
    /// each key once.
    pub fn key(&self) -> (String, Vec<EdgeName>) {
        let mut edges: Vec<_> = self
            .steps
            .iter()
            .map(|s| {
                (
                    s.held.class,
                    s.held.lock,
                    s.acquired.class,
                    s.acquired.lock,
                    s.held_as,
                    s.acquired_as,
                )
            })
            .collect();
        edges.sort();
        (self.process.clone(), edges)
    }

    /// Whether a step was taken by a task of `#[peeps::test]` run `scope`.
    pub fn involves_test(&self, scope: u64) -> bool {
        self.steps.iter().any(|s| s.test_scope == Some(scope))
    }

    /// Every potential deadlock of the merged processes: for each, at most
    /// [`MAX_PER_PROCESS`], the longest-standing first (by the youngest
    /// step).
    pub(crate) fn check(merged: &Merged<'_>) -> Vec<PotentialDeadlock> {
        let mut found: Vec<PotentialDeadlock> = Vec::new();
        for snap in merged.processes() {
            if let Some(order) = &snap.lock_order {
                found.extend(in_process(snap, order));
            }
        }
        found.sort_by_key(|p| {
            std::cmp::Reverse(p.steps.iter().map(|s| s.since_ms).min().unwrap_or(0))
        });
        found
    }
}

impl Finding for PotentialDeadlock {
    const KIND: &'static str = "potential deadlock";

    fn summary(&self) -> String {
        let mut locks: Vec<String> = Vec::new();
        for l in &self.locks {
            let name = format!("{} {:?}", l.kind, l.name);
            if !locks.contains(&name) {
                locks.push(name);
            }
        }
        format!("potential deadlock: {}", locks.join(", "))
    }

    fn text(&self) -> &str {
        &self.text
    }
}

/// The potential deadlocks of one process's learned order.
fn in_process(snap: &Snapshot, order: &LockOrder) -> Vec<PotentialDeadlock> {
    let key = &snap.process.key;
    let mut found: Vec<PotentialDeadlock> = Vec::new();
    for e in order.edges.iter().filter(|e| !e.bounded) {
        if e.from_lock.is_some() && e.from_lock == e.to_lock {
            let kind = match (e.held, e.acquired) {
                (LockMode::Read, LockMode::Read) => PotentialKind::ReadReentered,
                (LockMode::Permit, LockMode::Permit) => PotentialKind::PermitReacquired,
                _ => continue,
            };
            found.push(words::finding(key, order, kind, &[e]));
        }
    }
    for cycle in search::cycles(order, MAX_PER_PROCESS.saturating_sub(found.len())) {
        found.push(words::finding(key, order, PotentialKind::Inversion, &cycle));
    }
    found
}

/// What one process has learned of its lock order: how much, and what it
/// could not keep (its bounds reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LearnedOrder {
    /// The process's key.
    pub process: String,
    /// How many classes of locks it has taken.
    pub classes: usize,
    /// How many order edges it has learned.
    pub edges: usize,
    /// What it did not record.
    pub dropped: OrderDrops,
    /// What it did not record, in words (`lock order not recorded: ...`),
    /// when it dropped anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl LearnedOrder {
    /// One per process whose snapshot has a `lock_order` section.
    pub(crate) fn of(merged: &Merged<'_>) -> Vec<LearnedOrder> {
        merged
            .processes()
            .iter()
            .filter_map(|s| {
                let o = s.lock_order.as_ref()?;
                let mut learned = LearnedOrder {
                    process: s.process.key.clone(),
                    classes: o.classes.len(),
                    edges: o.edges.len(),
                    dropped: o.dropped,
                    note: None,
                };
                learned.note = learned.dropped_words();
                Some(learned)
            })
            .collect()
    }

    /// `lock order: 3 edges and 1 acquisition not recorded (bounds
    /// reached)`, or `None` when nothing was dropped.
    pub fn dropped_words(&self) -> Option<String> {
        use super::words::count;
        let d = &self.dropped;
        if d.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if d.classes > 0 {
            parts.push(format!(
                "{} (the class table is full)",
                count(d.classes as usize, "lock's class", "locks' classes")
            ));
        }
        if d.edges > 0 {
            parts.push(format!(
                "{} (the edge table is full)",
                count(d.edges as usize, "order edge", "order edges")
            ));
        }
        if d.held > 0 {
            parts.push(format!(
                "{} (a task held more locks than peeps follows, or more plain tasks held locks at once than it keeps lists for)",
                count(d.held as usize, "acquisition", "acquisitions")
            ));
        }
        if d.edge_locks > 0 {
            parts.push(format!(
                "{} (the budget of listed locks is spent: those edges meet any lock of their classes)",
                count(d.edge_locks as usize, "lock an edge was seen between", "locks edges were seen between")
            ));
        }
        Some(format!("lock order not recorded: {}", parts.join(", ")))
    }
}

/// The report's section of potential deadlocks: each text and a blank
/// line, then a line per process that could not record everything.
pub(crate) fn section(report: &super::Report) -> String {
    let mut out = String::new();
    for p in &report.potential_deadlocks {
        out.push_str(&p.text);
        out.push_str("\n\n");
    }
    for note in report.lock_order.iter().filter_map(|l| l.note.as_ref()) {
        out.push_str(note);
        out.push_str("\n\n");
    }
    out
}

/// `, 1 potential deadlock` for the report's count line, when there is any.
pub(crate) fn count_words(report: &super::Report) -> String {
    match report.potential_deadlocks.len() {
        0 => String::new(),
        n => format!(
            ", {}",
            super::words::count(n, "potential deadlock", "potential deadlocks")
        ),
    }
}
