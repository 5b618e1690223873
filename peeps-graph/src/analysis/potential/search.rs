//! Finding the cycles of a learned lock order.
//!
//! The graph's nodes are lock classes, and the locks of one class that were
//! taken inside each other (edges with `from_lock`/`to_lock`); its edges the
//! order edges, a lock taken again (a self-loop) excepted: those are
//! findings of their own; and an edge whose wait can be given up
//! (`bounded`), on which no cycle hangs for good. Only edges inside a strongly connected group
//! (petgraph's Tarjan) can be on a cycle; from each of them, oldest first, a
//! breadth-first search finds the shortest cycle through it that never
//! passes a lock only through two reads that cannot wait for each other
//! (see [`blocks`]), that no gate guards (see [`through`]) and that
//! closes lock by lock (see [`closes`]). Each cycle is reported once,
//! whichever edge found it.

use crate::lock_order::{LockMode, LockOrder, OrderEdge, OrderGate};
use crate::schema::NodeId;
use petgraph::graph::DiGraph;
use std::collections::{HashMap, HashSet, VecDeque};

/// A node of the order graph: a class, or one lock of a class.
type Key = (u32, Option<NodeId>);

/// Whether a task holding a lock of class `class` as `held` and another
/// waiting for it as `acquired` can block each other: always, unless both
/// are reads and the wait cannot queue behind a writer (a `read_recursive`,
/// or a class never written).
pub(super) fn blocks(order: &LockOrder, class: u32, acquired: LockMode, held: LockMode) -> bool {
    let written = order.class(class).is_some_and(|c| c.written);
    !(held.is_read() && acquired.is_read() && (acquired == LockMode::ReadRecursive || !written))
}

/// Up to `max` cycles of `order`, each as its edges in order, starting at
/// its oldest.
pub(super) fn cycles(order: &LockOrder, max: usize) -> Vec<Vec<&OrderEdge>> {
    if max == 0 {
        return Vec::new();
    }
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut node = |k: Key| {
        *index.entry(k).or_insert_with(|| {
            keys.push(k);
            keys.len() - 1
        })
    };
    let edges: Vec<(usize, usize, &OrderEdge)> = order
        .edges
        .iter()
        .filter(|e| !e.bounded)
        .filter(|e| !(e.from_lock.is_some() && e.from_lock == e.to_lock))
        .map(|e| (node((e.from, e.from_lock)), node((e.to, e.to_lock)), e))
        .collect();
    let mut g: DiGraph<(), usize> = DiGraph::with_capacity(keys.len(), edges.len());
    for _ in &keys {
        g.add_node(());
    }
    for (i, (u, v, _)) in edges.iter().enumerate() {
        g.add_edge(
            petgraph::graph::NodeIndex::new(*u),
            petgraph::graph::NodeIndex::new(*v),
            i,
        );
    }
    let mut group = vec![usize::MAX; keys.len()];
    for (gi, scc) in petgraph::algo::tarjan_scc(&g).into_iter().enumerate() {
        if scc.len() > 1 {
            for n in scc {
                group[n.index()] = gi;
            }
        }
    }
    let inside =
        |&(u, v, _): &(usize, usize, &OrderEdge)| group[u] != usize::MAX && group[u] == group[v];
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); keys.len()];
    for (i, e) in edges.iter().enumerate() {
        if inside(e) {
            out_edges[e.0].push(i);
        }
    }
    // Oldest first, then by key: a deterministic order.
    let mut starts: Vec<usize> = (0..edges.len()).filter(|&i| inside(&edges[i])).collect();
    starts.sort_by_key(|&i| {
        let e = edges[i].2;
        (
            std::cmp::Reverse(e.example.since_ms),
            e.from,
            e.to,
            e.from_lock,
            e.to_lock,
        )
    });
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut found = Vec::new();
    for start in starts {
        let Some(cycle) = through(order, &keys, &edges, &out_edges, start) else {
            continue;
        };
        let mut canon = cycle.clone();
        canon.sort_unstable();
        if !seen.insert(canon) {
            continue;
        }
        let oldest = (0..cycle.len())
            .max_by_key(|&i| (edges[cycle[i]].2.example.since_ms, std::cmp::Reverse(i)))
            .unwrap_or(0);
        found.push(
            cycle[oldest..]
                .iter()
                .chain(&cycle[..oldest])
                .map(|&i| edges[i].2)
                .collect(),
        );
        if found.len() >= max {
            break;
        }
    }
    found
}

/// A search state: a lock (its index), how the last edge took it, which
/// of the start edge's gates every edge so far had (bit `i`: its
/// `gates[i]`), and which of those one edge so far had exclusively.
type State = (usize, LockMode, u32, u32);

/// The gates of the start edge the search follows (the first 32: an edge
/// has at most `MAX_GATES`).
const MASK_BITS: usize = 32;

/// Of `gates` (a start edge's) in `mask`, those that `e` has too and that
/// are no lock of the class `to` the edge goes to (a gate that is itself
/// in the cycle keeps nothing apart), and of those, the ones `e` holds
/// exclusively.
fn still_gated(mask: u32, gates: &[OrderGate], e: &OrderEdge, to: u32) -> (u32, u32) {
    let (mut kept, mut exclusive) = (0, 0);
    for (i, g) in gates.iter().enumerate().take(MASK_BITS) {
        if mask & 1 << i == 0 || g.class == to {
            continue;
        }
        if let Some(h) = e
            .gates
            .iter()
            .find(|h| h.lock == g.lock && h.class == g.class)
        {
            kept |= 1 << i;
            if !h.shared {
                exclusive |= 1 << i;
            }
        }
    }
    (kept, exclusive)
}

/// Whether a cycle whose edges all had the gates in `mask`, those in
/// `exclusive` exclusively on one edge at least, is guarded: its paths
/// all hold one lock, one of them exclusively, so they cannot all run at
/// once. Reads (or permits of some) alone keep nothing apart.
fn guarded(mask: u32, exclusive: u32) -> bool {
    mask & exclusive != 0
}

/// Whether the cycle `path` (edge indices, in order) closes lock by lock:
/// at each class it passes, a lock one edge took is one the next held
/// ([`OrderEdge::meets`]). Two instances of one type, each with its own
/// `refreshing` mutex, make one class of those mutexes; a path through
/// one instance's and another through the other's meet at no lock.
fn closes(edges: &[(usize, usize, &OrderEdge)], path: &[usize]) -> bool {
    path.iter()
        .zip(path.iter().cycle().skip(1))
        .all(|(&a, &b)| edges[a].2.meets(edges[b].2))
}

/// The shortest cycle through edge `start` whose every lock can block
/// (see [`blocks`]) and that no gate guards, as edge indices from `start`
/// on.
///
/// A gate is a lock held around every observation of an edge
/// (`OrderEdge::gates`), exclusively or shared: a cycle whose edges all
/// have one gate, one edge at least exclusively, cannot deadlock, since
/// its paths cannot all run at once. The search follows which of the
/// start edge's gates every edge so far had (and which exclusively), and
/// closes a cycle only when none guards it; a shorter gated cycle does
/// not hide a longer ungated one.
fn through(
    order: &LockOrder,
    keys: &[Key],
    edges: &[(usize, usize, &OrderEdge)],
    out_edges: &[Vec<usize>],
    start: usize,
) -> Option<Vec<usize>> {
    let (u, v, e0) = edges[start];
    let gates = &e0.gates[..e0.gates.len().min(MASK_BITS)];
    let all = (0..gates.len()).fold(0u32, |m, i| m | 1 << i);
    let (from_gates, _) = still_gated(all, gates, e0, keys[u].0);
    // States: (node, how the last edge took it, gates left, those held
    // exclusively so far), with the edge that led there.
    let mut parent: HashMap<State, Option<(State, usize)>> = HashMap::new();
    let (mask, exclusive) = still_gated(from_gates, gates, e0, keys[v].0);
    let first = (v, e0.acquired, mask, exclusive);
    parent.insert(first, None);
    let mut queue = VecDeque::from([first]);
    while let Some(state) = queue.pop_front() {
        let (x, took, mask, exclusive) = state;
        let x_class = keys[x].0;
        for &i in &out_edges[x] {
            let (_, y, e) = edges[i];
            if i == start || !blocks(order, x_class, took, e.held) {
                continue;
            }
            let (mask, also) = still_gated(mask, gates, e, keys[y].0);
            let exclusive = (exclusive | also) & mask;
            if y == u && !guarded(mask, exclusive) && blocks(order, keys[u].0, e.acquired, e0.held)
            {
                let mut path = vec![i];
                let mut at = state;
                while let Some(Some((prev, via))) = parent.get(&at) {
                    path.push(*via);
                    at = *prev;
                }
                path.push(start);
                path.reverse();
                if closes(edges, &path) {
                    return Some(path);
                }
                continue;
            }
            if y == u && guarded(mask, exclusive) {
                // A gated cycle: going round again only adds another
                // cycle, found from its own edges.
                continue;
            }
            let next = (y, e.acquired, mask, exclusive);
            if let std::collections::hash_map::Entry::Vacant(slot) = parent.entry(next) {
                slot.insert(Some((state, i)));
                queue.push_back(next);
            }
        }
    }
    None
}
