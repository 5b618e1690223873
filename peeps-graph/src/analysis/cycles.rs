//! From the deadlocked set to deadlocks: strongly connected groups, the
//! cycle written out, and who is stuck behind what.
//!
//! Each strongly connected group of the set that contains a cycle is one
//! deadlock (petgraph's Kosaraju, which is iterative: a long chain of waits
//! cannot overflow the stack). Its cycle is found by walking from its first
//! root along edges inside the group until a node repeats; it alternates
//! root → target → root, which is the sentence "task waits on resource held
//! by task". Members the walk did not pass through get one step each.
//!
//! The rest of the set waits, directly or not, on a deadlock or on a task
//! stuck forever. One breadth-first search backwards from all of those at
//! once assigns every other member to the nearest one, with the step it
//! waits through: "also stuck behind it".

use super::blocked::{Blocked, NONE, Release, RootState};
use super::fixpoint::{Dep, DepEdge, Fixpoint};
use crate::merge::{EdgeIndex, IdMap};
use petgraph::Direction;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef, NodeFiltered};
use std::collections::VecDeque;

/// One step: a root waits on a target that another root can release.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hop {
    /// The waiting root.
    pub(crate) root: u32,
    /// Its `waits_on` edge in the merged graph; none for a starved root,
    /// which waits for its thread, parked in a task's blocking poll (see
    /// [`Blocked::starve`](super::blocked::Blocked)).
    pub(crate) wait: Option<EdgeIndex>,
    /// How the next root releases it.
    pub(crate) release: Release,
}

/// One deadlock: a strongly connected group of the set with a cycle.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Its roots: the cycle's first, in order, then the others.
    pub(crate) roots: Vec<u32>,
    /// Its targets (dependency nodes).
    pub(crate) targets: Vec<NodeIndex>,
    /// The cycle, starting at its lowest root.
    pub(crate) cycle: Vec<Hop>,
    /// One step for each root of the group not on the cycle.
    pub(crate) others: Vec<Hop>,
    /// Steps of the roots stuck behind it, nearest first.
    pub(crate) behind: Vec<Hop>,
    /// A root of the group is untracked (its waker cannot be accounted), or
    /// a step of it rests on a holder peeps guessed (see `Release::guess`).
    pub(crate) probable: bool,
    /// In the set only because nothing in its process can run again (see
    /// [`super::asleep`]).
    pub(crate) asleep: bool,
}

/// A root stuck forever and the roots stuck behind it.
#[derive(Debug, Clone)]
pub(crate) struct Lost {
    /// The root that lost its waker, or whose waits lead to no other root
    /// in a process where nothing can run again (`asleep`).
    pub(crate) root: u32,
    /// Stuck because nothing in its process can run again, not because it
    /// lost its waker (see [`super::asleep`]).
    pub(crate) asleep: bool,
    /// Steps of the roots stuck behind it, nearest first.
    pub(crate) behind: Vec<Hop>,
}

/// The deadlocks and stuck-forever roots of the set.
#[derive(Debug, Default)]
pub(crate) struct Cycles {
    /// One per strongly connected group with a cycle.
    pub(crate) groups: Vec<Group>,
    /// One per root that lost its waker.
    pub(crate) lost: Vec<Lost>,
}

/// Finds the deadlocks of the set and assigns the rest of it.
pub(crate) fn find(fix: &Fixpoint, blocked: &Blocked) -> Cycles {
    let graph = &fix.graph;
    let in_set = |n: NodeIndex| fix.in_set[n.index()];
    let mut comp = vec![NONE; graph.node_count()];
    let mut cyclic: Vec<Vec<NodeIndex>> = Vec::new();
    // The cycles of releases peeps proved first; then, among the rest of
    // the set, those a guessed holder closes. A root that reaches a proved
    // cycle only through a guess (an unseen task that might have the
    // handle, itself waiting on that cycle) is behind it, not a member.
    let proved = EdgeFiltered::from_fn(graph, |e| {
        in_set(e.source()) && in_set(e.target()) && !is_guess(e.weight())
    });
    // A strongly connected group of the set with a cycle: more than one
    // node, or one with a loop to itself (a proved one, for the first pass).
    let mut add_cycles = |sccs: Vec<Vec<NodeIndex>>, guesses: bool, comp: &mut Vec<u32>| {
        for scc in sccs {
            let n = scc[0];
            let has_cycle = scc.len() > 1
                || graph
                    .edges_connecting(n, n)
                    .any(|e| guesses || !is_guess(e.weight()));
            if !has_cycle || !in_set(n) || comp[n.index()] != NONE {
                continue;
            }
            for &n in &scc {
                comp[n.index()] = cyclic.len() as u32;
            }
            cyclic.push(scc);
        }
    };
    add_cycles(kosaraju_scc(&proved), false, &mut comp);
    let taken = comp.clone();
    let rest = NodeFiltered::from_fn(graph, |n: NodeIndex| in_set(n) && taken[n.index()] == NONE);
    add_cycles(kosaraju_scc(&rest), true, &mut comp);

    // The first edge (in a fixed order) from `n` to a node of component `c`;
    // a release peeps proved before one that rests on a guess, and one to
    // another node than `from` before one back to it (a semaphore two
    // tasks each hold a permit of and wait on: each waits for the other,
    // not for itself).
    let step_in_from = |n: NodeIndex, c: u32, from: Option<NodeIndex>| {
        graph
            .edges_directed(n, Direction::Outgoing)
            .filter(|e| comp[e.target().index()] == c)
            .min_by_key(|e| {
                (
                    is_guess(e.weight()),
                    Some(e.target()) == from,
                    e.target().index(),
                    e.id().index(),
                )
            })
    };
    let step_in = |n: NodeIndex, c: u32| step_in_from(n, c, None);
    let hop_from = |root_dep: NodeIndex, c: u32| -> Option<(Hop, NodeIndex)> {
        let Dep::Root(root) = graph[root_dep] else {
            return None;
        };
        let wait_edge = step_in(root_dep, c)?;
        let wait = wait_edge.weight().wait()?;
        let release_edge = step_in_from(wait_edge.target(), c, Some(root_dep))?;
        let DepEdge::Release(release) = *release_edge.weight() else {
            return None;
        };
        Some((
            Hop {
                root,
                wait,
                release,
            },
            release_edge.target(),
        ))
    };

    let mut cycles = Cycles::default();
    for (c, scc) in cyclic.iter().enumerate() {
        let c = c as u32;
        let mut roots: Vec<NodeIndex> = scc
            .iter()
            .copied()
            .filter(|&n| matches!(graph[n], Dep::Root(_)))
            .collect();
        let targets: Vec<NodeIndex> = scc
            .iter()
            .copied()
            .filter(|&n| matches!(graph[n], Dep::Target(_)))
            .collect();
        roots.sort_by_key(|&n| root_node_order(graph, blocked, n));

        // Walk from the lowest root until a root repeats.
        let mut seen_at: IdMap<u32, usize> = IdMap::default();
        let mut walk: Vec<Hop> = Vec::new();
        let mut at = roots[0];
        let cycle = loop {
            if let Some(&pos) = seen_at.get(&(at.index() as u32)) {
                break walk.split_off(pos);
            }
            seen_at.insert(at.index() as u32, walk.len());
            match hop_from(at, c) {
                Some((hop, next)) => {
                    walk.push(hop);
                    at = next;
                }
                None => break Vec::new(),
            }
        };
        let mut cycle = cycle;
        if let Some(lowest) = cycle
            .iter()
            .enumerate()
            .min_by_key(|(_, h)| blocked.roots[h.root as usize].ix.index())
            .map(|(i, _)| i)
        {
            cycle.rotate_left(lowest);
        }
        let on_cycle: Vec<u32> = cycle.iter().map(|h| h.root).collect();
        let on_cycle_set: IdMap<u32, ()> = on_cycle.iter().map(|&r| (r, ())).collect();
        let others: Vec<Hop> = roots
            .iter()
            .filter_map(|&n| hop_from(n, c).map(|(h, _)| h))
            .filter(|h| !on_cycle_set.contains_key(&h.root))
            .collect();
        let mut ordered: Vec<u32> = on_cycle.clone();
        ordered.extend(others.iter().map(|h| h.root));

        // A root peeps did not spawn may be woken by something it cannot
        // see, unless its poll is parked in a blocking call, or its waker's
        // clones are counted and its waits hold them all: nothing but what
        // it waits for gets it out of that.
        let untracked = ordered.iter().any(|&r| {
            let root = &blocked.roots[r as usize];
            !root.tracked
                && root.state != RootState::Parked
                && !root.woken_by_waits_only
                && root.starved.is_none()
        });
        // Kept only because nothing in its process can run: a guess that
        // peeps' counts of wakers and of tasks are whole.
        let asleep_only = scc.iter().any(|n| fix.asleep_only[n.index()]);
        let guessed = asleep_only || cycle.iter().chain(&others).any(|h| h.release.guess);
        cycles.groups.push(Group {
            roots: ordered,
            targets,
            cycle,
            others,
            behind: Vec::new(),
            probable: untracked || guessed,
            asleep: asleep_only,
        });
    }

    // Everyone else in the set: behind the nearest deadlock or lost task.
    let mut owner = vec![Owner::None; graph.node_count()];
    // For a target: the release edge it was reached through.
    let mut via: Vec<Option<Release>> = vec![None; graph.node_count()];
    let mut queue = VecDeque::new();
    for (c, scc) in cyclic.iter().enumerate() {
        for &n in scc {
            owner[n.index()] = Owner::Group(c as u32);
            if let Dep::Target(_) = graph[n] {
                via[n.index()] = step_in(n, c as u32).and_then(|e| match *e.weight() {
                    DepEdge::Release(r) => Some(r),
                    DepEdge::Wait(_) | DepEdge::Starved => None,
                });
            }
            queue.push_back(n);
        }
    }
    for (i, &r) in fix.lost.iter().enumerate() {
        if let Some(d) = fix.dep_of_root[r as usize] {
            owner[d.index()] = Owner::Lost(i as u32);
            queue.push_back(d);
        }
        cycles.lost.push(Lost {
            root: r,
            asleep: false,
            behind: Vec::new(),
        });
    }
    spread(
        graph,
        &in_set,
        &mut owner,
        &mut via,
        &mut queue,
        &mut cycles,
    );
    // In a process where nothing can run, a root of the set whose waits
    // lead to no other root of it is stuck forever, the rest behind it.
    for (r, d) in fix.dep_of_root.iter().enumerate() {
        let Some(d) = *d else { continue };
        if !in_set(d) || owner[d.index()] != Owner::None || leads_on(graph, &in_set, d) {
            continue;
        }
        owner[d.index()] = Owner::Lost(cycles.lost.len() as u32);
        queue.push_back(d);
        cycles.lost.push(Lost {
            root: r as u32,
            asleep: true,
            behind: Vec::new(),
        });
    }
    spread(
        graph,
        &in_set,
        &mut owner,
        &mut via,
        &mut queue,
        &mut cycles,
    );
    cycles
}

/// Whether root `d` waits on a target some other root of the set (`in_set`)
/// can release.
fn leads_on(graph: &DepGraph, in_set: &impl Fn(NodeIndex) -> bool, d: NodeIndex) -> bool {
    graph
        .edges_directed(d, Direction::Outgoing)
        .filter(|w| in_set(w.target()))
        .any(|w| {
            graph
                .edges_directed(w.target(), Direction::Outgoing)
                .any(|rel| in_set(rel.target()))
        })
}

/// The dependency graph of [`Fixpoint`].
type DepGraph = petgraph::graph::DiGraph<Dep, DepEdge>;

/// Who a node of the set is behind: a deadlock, a root stuck forever.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    None,
    Group(u32),
    Lost(u32),
}

/// Breadth first, backwards from the nodes in `queue`: every member of the
/// set that waits on them, directly or not, is behind the same owner, with
/// the step it waits through.
fn spread(
    graph: &DepGraph,
    in_set: &impl Fn(NodeIndex) -> bool,
    owner: &mut [Owner],
    via: &mut [Option<Release>],
    queue: &mut VecDeque<NodeIndex>,
    cycles: &mut Cycles,
) {
    while let Some(n) = queue.pop_front() {
        let label = owner[n.index()];
        for e in graph.edges_directed(n, Direction::Incoming) {
            let from = e.source();
            if !in_set(from) || owner[from.index()] != Owner::None {
                continue;
            }
            owner[from.index()] = label;
            match (graph[from], *e.weight()) {
                (Dep::Target(_), DepEdge::Release(r)) => via[from.index()] = Some(r),
                (Dep::Root(root), edge @ (DepEdge::Wait(_) | DepEdge::Starved)) => {
                    let wait = edge.wait().flatten();
                    if let Some(release) = via[n.index()] {
                        let hop = Hop {
                            root,
                            wait,
                            release,
                        };
                        match label {
                            Owner::Group(g) => cycles.groups[g as usize].behind.push(hop),
                            Owner::Lost(l) => cycles.lost[l as usize].behind.push(hop),
                            Owner::None => {}
                        }
                    }
                }
                _ => {}
            }
            queue.push_back(from);
        }
    }
}

/// Whether an edge of the dependency graph is a release that rests on a guess.
fn is_guess(e: &DepEdge) -> bool {
    matches!(e, DepEdge::Release(r) if r.guess)
}

fn root_node_order(
    graph: &petgraph::graph::DiGraph<Dep, DepEdge>,
    blocked: &Blocked,
    n: NodeIndex,
) -> usize {
    match graph[n] {
        Dep::Root(r) => blocked.roots[r as usize].ix.index(),
        Dep::Target(_) => usize::MAX,
    }
}
