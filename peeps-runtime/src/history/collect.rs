//! The history a snapshot carries: what concerns the blocked part of its
//! graph, and the latest events.
//!
//! All rings are read, each record placed by `(millisecond, logical
//! clock)`, and two sets kept:
//!
//! - the last [`PER_NODE_MAX`] events of each node of a wait: every task
//!   with a `waits_on` edge (a future's wait counts for its task), what it
//!   waits on, and who holds that; fewer each ([`PER_NODE_MIN`] at least)
//!   when there are many such nodes, so that these stay within
//!   [`INTEREST_BUDGET`] events;
//! - the last [`TAIL`] events of the process, whatever they concern.
//!
//! So a finding's tasks and resources always come with their last events,
//! and the JSON of a snapshot stays small however long the program ran.

use crate::id::FOREIGN_BASE;
use super::{EventKind, Record, read_all};
use crate::hold::HoldAs;
use peeps_graph::{Edge, EdgeKind, Event, History, HistoryNode, Node, NodeId, NodeKind, Op};
use std::collections::{HashMap, HashSet};

/// The most events kept per node of a wait.
const PER_NODE_MAX: usize = 64;
/// The fewest events kept per node of a wait, however many there are.
const PER_NODE_MIN: usize = 8;
/// How many events the nodes of waits share (above the minimum).
const INTEREST_BUDGET: usize = 4096;
/// The latest events of the process kept besides.
const TAIL: usize = 512;

/// The clock of a snapshot: coarse ms at the capture (`now_ms`), its wall
/// time, and the process's wall start, so an event's coarse ms becomes ms
/// since the process started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Times {
    pub(crate) now_ms: u64,
    pub(crate) captured_at_ms: u64,
    pub(crate) started_at_ms: u64,
}

impl Times {
    fn since_start(&self, ms: u64) -> u64 {
        let wall = i128::from(self.captured_at_ms) + i128::from(ms) - i128::from(self.now_ms);
        u64::try_from(wall - i128::from(self.started_at_ms)).unwrap_or(0)
    }
}

/// The history of a snapshot with these nodes and edges, or `None` when
/// the recorder is off.
pub(crate) fn collect(nodes: &[Node], edges: &[Edge], times: Times) -> Option<History> {
    let per_thread = super::per_thread();
    if per_thread == 0 {
        return None;
    }
    let read = read_all();
    // Records written after the capture began read as its instant or later.
    let now = crate::clock::now_ms().max(times.now_ms);
    let interest = interest(edges);
    let per_node = (INTEREST_BUDGET / interest.len().max(1)).clamp(PER_NODE_MIN, PER_NODE_MAX);

    // Candidates: every record of a node of interest, and each ring's tail.
    let mut cands: Vec<Placed> = Vec::new();
    for (ring, records) in read.rings.iter().enumerate() {
        let tail_from = records.len().saturating_sub(TAIL);
        for (i, r) in records.iter().enumerate() {
            if i >= tail_from || interest.contains(&r.task) || interest.contains(&r.node) {
                cands.push(Placed { ms: r.ms(now), order: r.order, ring, index: i });
            }
        }
    }
    cands.sort_unstable_by_key(|p| (p.ms, p.order, p.ring, p.index));

    // Newest first: the tail, then each node's quota.
    let mut keep = vec![false; cands.len()];
    let mut quota: HashMap<NodeId, usize> = HashMap::new();
    for (k, p) in cands.iter().enumerate().rev() {
        let r = &read.rings[p.ring][p.index];
        let in_tail = cands.len() - k <= TAIL;
        let mut wanted = in_tail;
        for id in [r.task, r.node] {
            if interest.contains(&id) {
                let used = quota.entry(id).or_default();
                if *used < per_node {
                    *used += 1;
                    wanted = true;
                }
            }
        }
        keep[k] = wanted;
    }

    let live: HashSet<NodeId> = nodes.iter().map(|n| n.id).collect();
    let mut gone: HashSet<NodeId> = HashSet::new();
    let mut events = Vec::new();
    for (p, _) in cands.iter().zip(&keep).filter(|(_, k)| **k) {
        let r = &read.rings[p.ring][p.index];
        let Some(e) = event(r, times.since_start(p.ms)) else {
            continue;
        };
        for id in [e.task, e.node].into_iter().flatten() {
            if !live.contains(&id) {
                gone.insert(id);
            }
        }
        events.push(e);
    }
    Some(History {
        events,
        nodes: gone_nodes(&gone, &read.rings),
        recorded: read.recorded,
        lost: read.lost,
        per_thread: per_thread as u64,
    })
}

/// A record's place in the process's order.
#[derive(Debug, Clone, Copy)]
struct Placed {
    ms: u64,
    order: u64,
    ring: usize,
    index: usize,
}

/// The nodes of the waits in `edges`: each waiting task (a future's wait
/// counts for the task it runs in), what it waits on, and who holds that.
fn interest(edges: &[Edge]) -> HashSet<NodeId> {
    let parent: HashMap<NodeId, NodeId> =
        edges.iter().filter(|e| e.kind == EdgeKind::Needs).map(|e| (e.to, e.from)).collect();
    let task_of = |mut id: NodeId| {
        // The `needs` edges form a forest; the bound guards a bad cycle.
        for _ in 0..parent.len() {
            match parent.get(&id) {
                Some(&p) => id = p,
                None => break,
            }
        }
        id
    };
    let mut out = HashSet::new();
    let mut waited: HashSet<NodeId> = HashSet::new();
    for e in edges.iter().filter(|e| e.kind == EdgeKind::WaitsOn) {
        out.insert(e.from);
        out.insert(task_of(e.from));
        out.insert(e.to);
        waited.insert(e.to);
    }
    for e in edges.iter().filter(|e| e.kind == EdgeKind::HeldBy && waited.contains(&e.from)) {
        out.insert(e.to);
    }
    out.remove(&0);
    out
}

/// The schema's event for a record, `t_ms` after the process started.
fn event(r: &Record, t_ms: u64) -> Option<Event> {
    let kind = EventKind::from_repr(r.kind)?;
    let mut e = Event {
        t_ms,
        kind,
        task: (r.task != 0).then_some(r.task),
        node: (r.node != 0).then_some(r.node),
        at: r.site().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
        op: None,
        held_as: None,
        waited_ms: None,
        count: None,
        finished: None,
    };
    match kind {
        EventKind::Wait => e.op = Op::from_repr(r.extra as u8),
        EventKind::Acquire | EventKind::Release => {
            e.held_as = Some(HoldAs::from_bits(u64::from(r.extra)).as_str().to_owned());
            let waited = r.extra >> 3;
            if kind == EventKind::Acquire && waited > 0 {
                e.waited_ms = Some(u64::from(waited - 1));
            }
        }
        EventKind::Send | EventKind::Recv if r.extra > 1 => e.count = Some(u64::from(r.extra)),
        EventKind::End => e.finished = Some(r.extra & 1 == 1),
        _ => {}
    }
    Some(e)
}

/// What the records say of nodes that are gone: a task's name (from its
/// end, when `'static`) and where it was spawned; a plain tokio task's
/// name from its id.
fn gone_nodes(gone: &HashSet<NodeId>, rings: &[Vec<Record>]) -> Vec<HistoryNode> {
    let mut out: HashMap<NodeId, HistoryNode> = gone
        .iter()
        .map(|&id| (id, HistoryNode { id, kind: None, name: None, location: None }))
        .collect();
    for r in rings.iter().flatten() {
        if r.kind == EventKind::Spawn as u8
            && let Some(n) = out.get_mut(&r.node)
        {
            n.kind = Some(NodeKind::Task);
            n.location = r.site().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
            if n.name.is_none() {
                n.name = r.site().map(|l| format!("{}:{}", l.file(), l.line()));
            }
        } else if r.kind == EventKind::End as u8
            && let Some(n) = out.get_mut(&r.task)
        {
            n.kind = Some(NodeKind::Task);
            if let Some(name) = r.name() {
                n.name = Some(name.to_owned());
            }
        }
    }
    for (&id, n) in &mut out {
        if crate::id::is_foreign(id) {
            n.kind = Some(NodeKind::Task);
            n.name = Some(format!("tokio task {}", id - FOREIGN_BASE));
        }
    }
    let mut nodes: Vec<HistoryNode> = out.into_values().collect();
    nodes.sort_by_key(|n| n.id);
    nodes
}
