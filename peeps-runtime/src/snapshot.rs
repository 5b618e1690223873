//! Materialising the graph: walk the live nodes, build a [`Snapshot`].
//!
//! Nothing stops the program meanwhile: each shard of the registry is locked
//! only while its entries are cloned out, and each entry describes itself
//! from its atomics and small locks.

use crate::clock;
use crate::node::Describe;
use crate::ownership::Found;
use crate::registry::Entry;
use peeps_graph::{Attrs, Node, SCHEMA, Snapshot};
use std::collections::HashSet;

/// Adds a node for each plain tokio task the edges name that is not
/// registered (see ambient.rs); returns the ids of all nodes.
#[cfg(feature = "diagnostics")]
fn add_foreign_nodes(
    nodes: &mut Vec<Node>,
    edges: &mut Vec<peeps_graph::Edge>,
    now_ms: u64,
) -> HashSet<u64> {
    let mut ids: HashSet<u64> = nodes.iter().map(|n| n.id).collect();
    let named: Vec<u64> = edges.iter().flat_map(|e| [e.from, e.to]).collect();
    for id in named {
        if !ids.contains(&id)
            && let Some(node) = crate::ambient::foreign_node(id, now_ms, edges)
        {
            ids.insert(id);
            nodes.push(node);
        }
    }
    ids
}

/// Without diagnostics nothing is recorded: the ids of the nodes.
#[cfg(not(feature = "diagnostics"))]
fn add_foreign_nodes(
    nodes: &mut [Node],
    _edges: &mut [peeps_graph::Edge],
    _now_ms: u64,
) -> HashSet<u64> {
    nodes.iter().map(|n| n.id).collect()
}

/// Adds a node and its `needs` edge for each future inside its first poll
/// now that is not registered (see [`crate::first_poll`]): what it would
/// show registered, polling since its poll began.
#[cfg(feature = "diagnostics")]
fn add_first_polls(nodes: &mut Vec<Node>, edges: &mut Vec<peeps_graph::Edge>, now_ms: u64) {
    let running = crate::first_poll::running();
    if running.is_empty() {
        return;
    }
    let ids: HashSet<u64> = nodes.iter().map(|n| n.id).collect();
    for first in running {
        if ids.contains(&first.id) {
            continue;
        }
        let age = clock::age(now_ms, first.since);
        let mut attrs = Attrs::new();
        attrs.insert(peeps_graph::attr::POLLS.to_owned(), 1u64.into());
        attrs.insert(peeps_graph::attr::POLL_NS_TOTAL.to_owned(), 0u64.into());
        attrs.insert(peeps_graph::attr::POLL_NS_MAX.to_owned(), 0u64.into());
        attrs.insert(peeps_graph::attr::POLLING_SINCE_MS.to_owned(), age.into());
        nodes.push(Node {
            id: first.id,
            kind: peeps_graph::NodeKind::Future,
            name: first.name.to_owned(),
            location: Some(first.location.to_owned()),
            state: Some(crate::node::PollState::Polling.as_str().to_owned()),
            since_ms: Some(age),
            attrs,
        });
        edges.push(peeps_graph::Edge {
            from: first.parent,
            to: first.id,
            kind: peeps_graph::EdgeKind::Needs,
            since_ms: Some(age),
            attrs: Attrs::new(),
        });
    }
}

/// Without diagnostics nothing is recorded.
#[cfg(not(feature = "diagnostics"))]
fn add_first_polls(_nodes: &mut [Node], _edges: &mut [peeps_graph::Edge], _now_ms: u64) {}

/// Takes back the proof of each handle its holder used (see
/// [`Found::note_used`]) whose holder waits for what only that handle can
/// do (to receive, holding the sender; to send, holding the receiver),
/// when its mark lies on the heap beyond the task states searched: it was
/// filed there (a session's sender put in a map of sessions after it
/// primed its own stream; a sender in an `Arc`'s value), and bytes it was
/// moved out of stay where it was used. A task that kept it would wait on
/// itself; one that filed it waits for whoever takes it from there. The
/// edge says `shared`, as of a handle kept in a `static`.
#[cfg(feature = "diagnostics")]
fn unprove_filed_handles(edges: &mut [peeps_graph::Edge], found: &Found) {
    use peeps_graph::{EdgeKind, Evidence, Op, attr};
    use std::collections::HashMap;
    let used = found.take_used();
    if used.is_empty() {
        return;
    }
    let parents: HashMap<u64, u64> = edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Needs)
        .map(|e| (e.to, e.from))
        .collect();
    // Whether `node` is `task` or runs inside it.
    let inside = |mut node: u64, task: u64| {
        for _ in 0..256 {
            if node == task {
                return true;
            }
            match parents.get(&node) {
                Some(&up) => node = up,
                None => return false,
            }
        }
        false
    };
    // Each wait, with the endpoint whose holder can end it.
    let waits: Vec<(u64, u64, &str)> = edges
        .iter()
        .filter(|e| e.kind == EdgeKind::WaitsOn)
        .filter_map(|e| {
            let op = e.attrs.get(attr::OP)?.as_str().and_then(Op::parse)?;
            Some((e.from, e.to, op.ended_by_endpoint()?))
        })
        .collect();
    for (i, key) in used {
        let Some(edge) = edges.get(i).filter(|e| e.kind == EdgeKind::HeldBy) else {
            continue;
        };
        let (resource, holder) = (edge.from, edge.to);
        let Some(held_as) = edge.attrs.get(attr::AS).and_then(|v| v.as_str()) else {
            continue;
        };
        let waits_on_itself = waits.iter().any(|&(waiter, on, ended_by)| {
            on == resource && ended_by == held_as && inside(waiter, holder)
        });
        if waits_on_itself && found.beyond_states(key) {
            let attrs = &mut edges[i].attrs;
            attrs.insert(attr::EVIDENCE.into(), Evidence::Shared.as_str().into());
            attrs.insert(attr::CONFIRMED.into(), false.into());
            attrs.remove(attr::IN_STATE);
        }
    }
}

#[cfg(feature = "diagnostics")]
use crate::task_join::{add_joins, date_joins};

/// Without diagnostics nothing is recorded.
#[cfg(not(feature = "diagnostics"))]
fn add_joins(
    _nodes: &mut [Node],
    edges: &mut [peeps_graph::Edge],
    _peeps_tasks: &std::collections::HashMap<usize, peeps_graph::NodeId>,
) -> std::ops::Range<usize> {
    edges.len()..edges.len()
}

/// Without diagnostics nothing is recorded.
#[cfg(not(feature = "diagnostics"))]
fn date_joins(_nodes: &[Node], _edges: &mut [peeps_graph::Edge], _joins: std::ops::Range<usize>) {}

/// Without diagnostics nothing is recorded.
#[cfg(not(feature = "diagnostics"))]
fn unprove_filed_handles(_edges: &mut [peeps_graph::Edge], _found: &Found) {}

/// The node of `entry` as it is now, its edges added to `edges`.
pub(crate) fn describe_entry(
    entry: &dyn Entry,
    now_ms: u64,
    edges: &mut Vec<peeps_graph::Edge>,
    found: &Found,
) -> Node {
    let core = entry.core();
    let mut node = Node {
        id: core.id,
        kind: core.kind,
        name: core.name(),
        location: Some(core.location.render()),
        state: None,
        since_ms: None,
        attrs: Attrs::new(),
    };
    entry.describe(&mut Describe {
        now_ms,
        node: &mut node,
        edges,
        found,
    });
    node
}

/// The movable handles inside the states of the tasks that are blocked
/// now, within a byte budget, and in static memory (see
/// [`crate::ownership`]). Read before any node is described, so every
/// hold is told where its handle was found.
fn find_handles(entries: &[std::sync::Arc<dyn Entry>]) -> Found {
    let mut found = Found::default();
    crate::ownership::scan_statics(|key| found.add_static(key));
    let mut budget = crate::ownership::SCAN_BUDGET;
    for entry in entries {
        let id = entry.state_owner();
        entry.scan_state(&mut budget, &mut |key| found.add(key, id));
    }
    #[cfg(feature = "diagnostics")]
    crate::task_cell::scan_idle(&mut budget, &mut |key, task| found.add(key, task));
    found
}

/// Takes a snapshot of this process now.
pub fn snapshot() -> Snapshot {
    let census = crate::census::Census::begin();
    let entries = crate::registry::live_entries();
    let now_ms = clock::now_ms();
    let captured_at_ms = clock::wall_ms();
    let found = find_handles(&entries);
    let census = census.walked(&entries);
    let mut nodes = Vec::with_capacity(entries.len());
    let mut edges = Vec::new();
    for entry in &entries {
        nodes.push(describe_entry(&**entry, now_ms, &mut edges, &found));
    }
    unprove_filed_handles(&mut edges, &found);
    add_first_polls(&mut nodes, &mut edges, now_ms);
    // Each peeps task by its entry's address (its waker's data), while the
    // entries are kept alive here.
    let peeps_tasks = entries
        .iter()
        .filter(|e| e.core().kind == peeps_graph::NodeKind::Task)
        .map(|e| (std::sync::Arc::as_ptr(e).cast::<()>() as usize, e.core().id))
        .collect();
    let joins = add_joins(&mut nodes, &mut edges, &peeps_tasks);
    drop(entries);
    let ids = add_foreign_nodes(&mut nodes, &mut edges, now_ms);
    date_joins(&nodes, &mut edges, joins);
    nodes.sort_by_key(|n| n.id);
    // An edge to a node that left between the walk of two shards (or to a
    // holder that has finished) names nothing: drop it.
    edges.retain(|e| ids.contains(&e.from) && ids.contains(&e.to));
    edges.sort_by_key(|e| (e.from, e.to, e.kind));
    let tasks = census.count(&nodes);
    let process = crate::process::current();
    let history = history(
        &nodes,
        &edges,
        now_ms,
        captured_at_ms,
        process.started_at_ms,
    );
    Snapshot {
        schema: SCHEMA.to_owned(),
        process,
        captured_at_ms,
        nodes,
        edges,
        threads: crate::threads::describe(now_ms),
        lock_order: crate::lockorder::learned(),
        tasks,
        history,
    }
}

/// The flight recorder's events for a snapshot of `nodes` and `edges`.
#[cfg(feature = "diagnostics")]
fn history(
    nodes: &[Node],
    edges: &[peeps_graph::Edge],
    now_ms: u64,
    captured_at_ms: u64,
    started_at_ms: u64,
) -> Option<peeps_graph::History> {
    let times = crate::history::Times {
        now_ms,
        captured_at_ms,
        started_at_ms,
    };
    crate::history::collect(nodes, edges, times)
}

/// Without diagnostics nothing is recorded.
#[cfg(not(feature = "diagnostics"))]
fn history(
    _nodes: &[Node],
    _edges: &[peeps_graph::Edge],
    _now_ms: u64,
    _captured_at_ms: u64,
    _started_at_ms: u64,
) -> Option<peeps_graph::History> {
    None
}
