//! Merging snapshots of many processes into one graph.
//!
//! Node ids are unique only within a process, so the merged graph gives
//! every node a dense index ([`NodeIndex`]) and remembers which process it
//! came from: across processes a node is `(process.key, id)`. Only the latest
//! snapshot of each process key is kept (by `captured_at_ms`; on a tie, the
//! later one in the input). Cross-process `calls` edges (request → handler)
//! are stitched here, by matching a request's `call_id` with a handler's
//! `caller_call_id` exactly, with one hash lookup per handler.
//!
//! Bad input never panics: an edge naming a node its snapshot does not have
//! is dropped, a repeated node id keeps its first node, and both are counted
//! in [`MergeIssues`] so a tool can say so.
//!
//! The merged graph borrows the snapshots: merging copies no names or
//! attributes, so it costs one index entry per node and per edge.

use crate::attr;
use crate::op::Op;
use crate::schema::{Attrs, EdgeKind, Node, NodeId, NodeKind, Snapshot};
use petgraph::graph::DiGraph;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

pub use petgraph::graph::{EdgeIndex, NodeIndex};

/// The merged graph type: petgraph's adjacency list with [`MergedNode`]
/// weights and [`MergedEdge`] weights.
pub type MergedGraph<'a> = DiGraph<MergedNode<'a>, MergedEdge<'a>>;

/// One node of the merged graph: a node of one process's snapshot.
#[derive(Debug, Clone, Copy)]
pub struct MergedNode<'a> {
    /// Index of the process in [`Merged::processes`].
    pub process: usize,
    /// Position of the node in its snapshot's `nodes`.
    pub index: usize,
    /// The node as its snapshot has it.
    pub node: &'a Node,
}

/// One edge of the merged graph.
#[derive(Debug, Clone, Copy)]
pub struct MergedEdge<'a> {
    /// What the edge means.
    pub kind: EdgeKind,
    /// Age of the edge at its snapshot's capture, when known. Stitched
    /// `calls` edges take the younger of their two ends' ages.
    pub since_ms: Option<u64>,
    /// The edge's attributes (`None` for stitched `calls` edges).
    pub attrs: Option<&'a Attrs>,
}

impl MergedEdge<'_> {
    /// A string attribute of the edge.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        self.attrs?.get(name)?.as_str()
    }

    /// Whether a boolean attribute of the edge is `true` (absent: false).
    pub fn flag(&self, name: &str) -> bool {
        self.attrs
            .and_then(|a| a.get(name))
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    }

    /// The operation a `waits_on` edge waits for, when it names one this
    /// version knows.
    pub fn op(&self) -> Option<Op> {
        self.attr_str(attr::OP).and_then(Op::parse)
    }

    /// False only when the edge says `confirmed: false`.
    pub fn confirmed(&self) -> bool {
        self.attrs
            .and_then(|a| a.get(attr::CONFIRMED))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true)
    }

    /// What peeps last saw of a `held_by` edge's hold: its `evidence`, or,
    /// for an edge without one, `acquired` (or `made` when it says
    /// `confirmed: false`, as older writers did).
    pub fn evidence(&self) -> crate::Evidence {
        match self
            .attr_str(attr::EVIDENCE)
            .and_then(crate::Evidence::parse)
        {
            Some(e) => e,
            None if self.confirmed() => crate::Evidence::Acquired,
            None => crate::Evidence::Made,
        }
    }

    /// Whether the snapshot found the hold inside its holder's own state.
    pub fn in_state(&self) -> bool {
        self.flag(attr::IN_STATE)
    }
}

/// What merging had to leave out. None of it stops the analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeIssues {
    /// Snapshots dropped because a later one of the same process was given.
    pub superseded_snapshots: usize,
    /// Nodes dropped because their id was already taken in their snapshot.
    pub duplicate_ids: usize,
    /// Edges dropped because one end names no node of their snapshot.
    pub dangling_edges: usize,
    /// Requests whose `call_id` another request already had (handlers of
    /// that id are stitched to the first request in input order).
    pub duplicate_call_ids: usize,
}

impl MergeIssues {
    /// True when nothing was left out.
    pub fn is_empty(&self) -> bool {
        *self == MergeIssues::default()
    }
}

impl std::fmt::Display for MergeIssues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if self.superseded_snapshots > 0 {
            parts.push(format!(
                "{} older snapshot(s) of the same process ignored",
                self.superseded_snapshots
            ));
        }
        if self.duplicate_ids > 0 {
            parts.push(format!(
                "{} node(s) with a repeated id ignored",
                self.duplicate_ids
            ));
        }
        if self.dangling_edges > 0 {
            parts.push(format!(
                "{} edge(s) naming a missing node ignored",
                self.dangling_edges
            ));
        }
        if self.duplicate_call_ids > 0 {
            parts.push(format!(
                "{} request(s) with a repeated call id",
                self.duplicate_call_ids
            ));
        }
        if parts.is_empty() {
            f.write_str("nothing ignored")
        } else {
            f.write_str(&parts.join("; "))
        }
    }
}

/// Many processes' snapshots as one graph. Made by [`merge`].
#[derive(Debug)]
pub struct Merged<'a> {
    graph: MergedGraph<'a>,
    processes: Vec<&'a Snapshot>,
    /// Process key → index in `processes`.
    by_key: HashMap<&'a str, usize>,
    ids: Vec<IdIndex>,
    issues: MergeIssues,
}

/// Merges snapshots into one graph: the latest snapshot per process key,
/// every node under a global [`NodeIndex`], `calls` edges stitched.
///
/// Accepts anything that yields `&Snapshot`: `&[Snapshot]`, `&Vec<_>`, a
/// map's `.values()`. Processes keep their input order (first appearance).
///
/// # Examples
///
/// ```
/// let json = include_str!("../../docs/example-dump.json");
/// let snap = peeps_graph::Snapshot::from_json(json).unwrap();
/// let merged = peeps_graph::merge(std::slice::from_ref(&snap));
/// assert_eq!(merged.graph().node_count(), snap.nodes.len());
/// ```
pub fn merge<'a, I>(snapshots: I) -> Merged<'a>
where
    I: IntoIterator<Item = &'a Snapshot>,
{
    let mut issues = MergeIssues::default();
    let mut processes: Vec<&'a Snapshot> = Vec::new();
    let mut by_key: HashMap<&'a str, usize> = HashMap::new();
    for snap in snapshots {
        match by_key.get(snap.process.key.as_str()) {
            Some(&i) => {
                issues.superseded_snapshots += 1;
                if snap.captured_at_ms >= processes[i].captured_at_ms {
                    processes[i] = snap;
                }
            }
            None => {
                by_key.insert(snap.process.key.as_str(), processes.len());
                processes.push(snap);
            }
        }
    }

    let node_count: usize = processes.iter().map(|s| s.nodes.len()).sum();
    let edge_count: usize = processes.iter().map(|s| s.edges.len()).sum();
    let mut graph = MergedGraph::with_capacity(node_count, edge_count);
    let mut ids = Vec::with_capacity(processes.len());
    let mut requests: HashMap<&'a str, NodeIndex> = HashMap::new();
    let mut handlers: Vec<(NodeIndex, &'a str)> = Vec::new();

    for (p, snap) in processes.iter().enumerate() {
        let mut index = IdIndex::for_nodes(&snap.nodes);
        for (i, node) in snap.nodes.iter().enumerate() {
            let ix = NodeIndex::new(graph.node_count());
            if !index.insert(node.id, ix) {
                issues.duplicate_ids += 1;
                continue;
            }
            graph.add_node(MergedNode {
                process: p,
                index: i,
                node,
            });
            match node.kind {
                NodeKind::Request => {
                    if let Some(call) = node.attrs.get(attr::CALL_ID).and_then(|v| v.as_str()) {
                        match requests.entry(call) {
                            // Keep the first request with this id.
                            std::collections::hash_map::Entry::Occupied(_) => {
                                issues.duplicate_call_ids += 1;
                            }
                            std::collections::hash_map::Entry::Vacant(v) => {
                                v.insert(ix);
                            }
                        }
                    }
                }
                NodeKind::Handler => {
                    if let Some(call) = node
                        .attrs
                        .get(attr::CALLER_CALL_ID)
                        .and_then(|v| v.as_str())
                    {
                        handlers.push((ix, call));
                    }
                }
                _ => {}
            }
        }
        for edge in &snap.edges {
            match (index.get(edge.from), index.get(edge.to)) {
                (Some(a), Some(b)) => {
                    graph.add_edge(
                        a,
                        b,
                        MergedEdge {
                            kind: edge.kind,
                            since_ms: edge.since_ms,
                            attrs: (!edge.attrs.is_empty()).then_some(&edge.attrs),
                        },
                    );
                }
                _ => issues.dangling_edges += 1,
            }
        }
        ids.push(index);
    }

    for (handler, call) in handlers {
        let Some(&request) = requests.get(call) else {
            continue;
        };
        let since_ms = min_age(graph[request].node.since_ms, graph[handler].node.since_ms);
        graph.add_edge(
            request,
            handler,
            MergedEdge {
                kind: EdgeKind::Calls,
                since_ms,
                attrs: None,
            },
        );
    }

    Merged {
        graph,
        processes,
        by_key,
        ids,
        issues,
    }
}

impl<'a> Merged<'a> {
    /// The merged graph (petgraph), for walking it.
    pub fn graph(&self) -> &MergedGraph<'a> {
        &self.graph
    }

    /// The snapshots merged, one per process, in first-appearance order.
    /// [`MergedNode::process`] indexes this.
    pub fn processes(&self) -> &[&'a Snapshot] {
        &self.processes
    }

    /// What had to be left out.
    pub fn issues(&self) -> MergeIssues {
        self.issues
    }

    /// The node at `ix`. Panics if `ix` is not an index of this graph.
    pub fn node(&self, ix: NodeIndex) -> &'a Node {
        self.graph[ix].node
    }

    /// The snapshot of the process the node at `ix` belongs to.
    pub fn process_of(&self, ix: NodeIndex) -> &'a Snapshot {
        self.processes[self.graph[ix].process]
    }

    /// The merged index of node `id` of the process with key `process_key`.
    pub fn find(&self, process_key: &str, id: NodeId) -> Option<NodeIndex> {
        let &p = self.by_key.get(process_key)?;
        self.ids[p].get(id)
    }
}

/// The younger of two optional ages (unknown ages do not count).
pub(crate) fn min_age(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Node id → merged index for one process. Runtime ids come from one
/// counter, so they are usually dense: then a table indexed by `id - min`
/// is both smaller and faster than a hash map.
#[derive(Debug)]
enum IdIndex {
    Dense { min: NodeId, table: Vec<u32> },
    Sparse(HashMap<NodeId, u32, BuildHasherDefault<IdHasher>>),
}

const EMPTY: u32 = u32::MAX;

impl IdIndex {
    fn for_nodes(nodes: &[Node]) -> IdIndex {
        let (min, max) = nodes
            .iter()
            .fold((NodeId::MAX, 0), |(lo, hi), n| (lo.min(n.id), hi.max(n.id)));
        if nodes.is_empty() {
            return IdIndex::Dense {
                min: 0,
                table: Vec::new(),
            };
        }
        let span = max - min;
        if span < (nodes.len() as u64).saturating_mul(4).saturating_add(1024) {
            IdIndex::Dense {
                min,
                table: vec![EMPTY; span as usize + 1],
            }
        } else {
            let mut map = HashMap::default();
            map.reserve(nodes.len());
            IdIndex::Sparse(map)
        }
    }

    /// Records `id` at `ix`; false if the id was already taken.
    fn insert(&mut self, id: NodeId, ix: NodeIndex) -> bool {
        let value = ix.index() as u32;
        match self {
            IdIndex::Dense { min, table } => {
                // Every id was seen when sizing the table.
                let slot = &mut table[(id - *min) as usize];
                if *slot != EMPTY {
                    return false;
                }
                *slot = value;
                true
            }
            IdIndex::Sparse(map) => match map.entry(id) {
                std::collections::hash_map::Entry::Occupied(_) => false,
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(value);
                    true
                }
            },
        }
    }

    fn get(&self, id: NodeId) -> Option<NodeIndex> {
        let value = match self {
            IdIndex::Dense { min, table } => {
                let off = id.checked_sub(*min)?;
                *table.get(usize::try_from(off).ok()?)?
            }
            IdIndex::Sparse(map) => *map.get(&id)?,
        };
        (value != EMPTY).then(|| NodeIndex::new(value as usize))
    }
}

/// A multiplicative hasher for `u64` keys (ids are not attacker-chosen in a
/// way that matters here: the worst case is a slower merge).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A hash map keyed by small integers, with [`IdHasher`].
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_indexes_agree() {
        let mut dense = IdIndex::Dense {
            min: 10,
            table: vec![EMPTY; 5],
        };
        let mut sparse = IdIndex::Sparse(HashMap::default());
        for idx in [&mut dense, &mut sparse] {
            assert!(idx.insert(12, NodeIndex::new(0)));
            assert!(!idx.insert(12, NodeIndex::new(1)));
            assert_eq!(idx.get(12), Some(NodeIndex::new(0)));
            assert_eq!(idx.get(11), None);
            assert_eq!(idx.get(3), None);
            assert_eq!(idx.get(u64::MAX), None);
        }
    }
}
