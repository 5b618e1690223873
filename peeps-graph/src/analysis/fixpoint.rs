//! The deadlocked set: the greatest fixed point of DESIGN.md §4.
//!
//! Start from every blocked root; remove any root with a wait whose
//! releasers include a root outside the set, a running root, or something
//! external; repeat until nothing changes. Done naively that is quadratic.
//! Here it is one linear pass over a *dependency graph*:
//!
//! ```text
//!   root ──waits──▶ target ──released by──▶ root
//! ```
//!
//! A target is what a wait waits for (a lock's holders, a channel's
//! senders, a joined task, an RPC's handlers), shared by every root waiting
//! on it, so a lock with many waiters and many holders costs
//! waiters + holders edges, not their product.
//!
//! A node is *bad* when it can move by itself or from outside: a root with
//! an unaccounted waker clone, a root without visible waits, a wait or hold
//! younger than the settle time, a plain task waiting at the call where it
//! took a hold of the same resource itself (the same code beside itself:
//! `blocked::beside_own_hold`), a target with an external releaser or a
//! releaser that is not blocked. A root stays in the set iff no bad node is
//! reachable from it — that is exactly the fixed point with OR semantics
//! (one releasable wait frees the task) — so the set is everything a
//! reverse search from the bad nodes does not reach.
//!
//! A root that lost its waker (tracked, pending, no clone alive) can never
//! wake whatever it waits on: it is kept in the set as a sink, with no
//! waits, and reported as *stuck forever*.
//!
//! In a process where nothing can run again ([`super::asleep`]), what would
//! be bad only because peeps cannot name a releaser (an external release, a
//! wait on something untraced) is not: nobody is left to release it. Those
//! nodes are kept (`asleep_only`), and the holders the external release
//! names become guessed releasers.

use super::Options;
use super::asleep::{asleep_processes, guessed_holders};
use super::blocked::{Blocked, Release, Target, TargetMap, beside_own_hold, classify, releasers};
use crate::merge::{EdgeIndex, Merged};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};

/// A node of the dependency graph.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dep {
    /// A blocked root (index into [`Blocked::roots`]).
    Root(u32),
    /// What some wait waits for.
    Target(Target),
}

/// An edge of the dependency graph.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DepEdge {
    /// root → target: the root's `waits_on` edge.
    Wait(EdgeIndex),
    /// root → [`Target::Thread`]: a starved `block_on` root waits for its
    /// thread, parked in a task's blocking poll (no edge of the graph says
    /// so).
    Starved,
    /// target → root: that root can release the target.
    Release(Release),
}

impl DepEdge {
    /// The root's wait, for a root → target edge: its `waits_on` edge, or
    /// none for a starved root ([`DepEdge::Starved`]); `None` as well for
    /// a release (see `Hop::wait` for the inner option).
    pub(crate) fn wait(self) -> Option<Option<EdgeIndex>> {
        match self {
            DepEdge::Wait(w) => Some(Some(w)),
            DepEdge::Starved => Some(None),
            DepEdge::Release(_) => None,
        }
    }
}

/// The dependency graph and the fixed point on it.
#[derive(Debug)]
pub(crate) struct Fixpoint {
    /// Blocked roots and their targets.
    pub(crate) graph: DiGraph<Dep, DepEdge>,
    /// Per dependency node: in the deadlocked set.
    pub(crate) in_set: Vec<bool>,
    /// Per root: its dependency node, if it is blocked.
    pub(crate) dep_of_root: Vec<Option<NodeIndex>>,
    /// Roots that lost their waker (in the set, as sinks), in node order.
    pub(crate) lost: Vec<u32>,
    /// Per dependency node: in the set only because its process is asleep
    /// (it would be bad anywhere else).
    pub(crate) asleep_only: Vec<bool>,
}

fn settled(age: Option<u64>, settle_ms: u64) -> bool {
    // An age the snapshot does not give is taken as old: hand-written dumps
    // and older writers have none, and a live writer always sets it.
    age.is_none_or(|a| a >= settle_ms)
}

impl Fixpoint {
    /// Builds the dependency graph of the blocked roots and computes the
    /// fixed point. Linear in the blocked roots, their waits and releasers.
    pub(crate) fn new(merged: &Merged<'_>, blocked: &Blocked, options: &Options) -> Fixpoint {
        let settle = options.settle_ms;
        let g = merged.graph();
        let mut graph: DiGraph<Dep, DepEdge> = DiGraph::new();
        let mut bad: Vec<NodeIndex> = Vec::new();
        let mut dep_of_root = vec![None; blocked.roots.len()];
        let asleep = asleep_processes(merged, blocked, settle);
        for (r, root) in blocked.roots.iter().enumerate() {
            if root.is_blocked() && !asleep.ended[r] {
                dep_of_root[r] = Some(graph.add_node(Dep::Root(r as u32)));
            }
        }

        let mut targets: TargetMap<NodeIndex> = TargetMap::default();
        let mut scratch: Vec<Release> = Vec::new();
        let mut lost = Vec::new();
        // Bad only for what an asleep process overrides: nobody releases.
        let mut bad_unless_asleep: Vec<NodeIndex> = Vec::new();
        for (r, root) in blocked.roots.iter().enumerate() {
            let Some(me) = dep_of_root[r] else {
                continue;
            };
            let sleeping = asleep.processes[g[root.ix].process];
            // A starved root waits for its thread, whatever else it waits
            // on or whatever may wake it.
            let starved = root.starved.is_some();
            let waits = starved.then_some(None).into_iter().chain(
                blocked
                    .waits(merged, r as u32)
                    .filter(|_| !starved)
                    .map(Some),
            );
            if root.starved.is_none() && blocked.lost_waker(merged, r as u32) {
                if settled(root.since_ms, settle) {
                    lost.push(r as u32);
                } else {
                    bad.push(me);
                }
                continue;
            }
            if root.starved.is_none() && blocked.wakes_unseen(merged, r as u32) {
                bad.push(me);
                continue;
            }
            let mut any = false;
            for wait in waits {
                any = true;
                let target = match wait {
                    None => Target::Thread {
                        root: root.ix,
                        process: g[root.ix].process as u32,
                        thread: root.starved.unwrap_or(0),
                    },
                    Some(w) => {
                        let waiter = g.edge_endpoints(w).map(|(from, _)| from.index());
                        let path_age = waiter.map_or(u64::MAX, |i| blocked.path_age[i]);
                        if !settled(g[w].since_ms, settle)
                            || path_age < settle
                            || beside_own_hold(merged, blocked, w)
                        {
                            bad.push(me);
                            break;
                        }
                        match classify(merged, w) {
                            Ok(t) => t,
                            Err(_) if sleeping => {
                                bad_unless_asleep.push(me);
                                continue;
                            }
                            Err(_) => {
                                bad.push(me);
                                break;
                            }
                        }
                    }
                };
                let t = match targets.get(&target.key()) {
                    Some(&t) => t,
                    None => {
                        let t = graph.add_node(Dep::Target(target));
                        targets.insert(target.key(), t);
                        scratch.clear();
                        let verdict = releasers(merged, blocked, target, &mut scratch);
                        let proven = verdict.is_ok();
                        if sleeping && let Err(why) = verdict {
                            // Nobody can take the way out: whoever it names
                            // is a guess, stuck with the rest.
                            guessed_holders(merged, blocked, why, &mut scratch);
                            bad_unless_asleep.push(t);
                        }
                        let mut ok = proven || sleeping;
                        // A task that has ended releases nothing.
                        let ended = |r: &Release| sleeping && asleep.ended[r.root as usize];
                        for rel in scratch.iter().filter(|r| !ended(r)) {
                            match dep_of_root[rel.root as usize] {
                                Some(q) if ok && settled(rel.since_ms, settle) => {
                                    let rel = Release {
                                        guess: rel.guess || !proven,
                                        ..*rel
                                    };
                                    graph.add_edge(t, q, DepEdge::Release(rel));
                                }
                                _ => ok = false,
                            }
                        }
                        if !ok {
                            bad.push(t);
                        }
                        t
                    }
                };
                let edge = match wait {
                    Some(w) => DepEdge::Wait(w),
                    None => DepEdge::Starved,
                };
                graph.add_edge(me, t, edge);
            }
            if !any {
                // Pending with no visible wait: it waits on something peeps
                // cannot see (or on an edge the snapshot dropped).
                if sleeping {
                    bad_unless_asleep.push(me);
                } else {
                    bad.push(me);
                }
            }
        }

        // Everything that can reach a bad node may still move.
        let in_set = reaching_none(&graph, &bad);
        let asleep_only = if bad_unless_asleep.is_empty() {
            vec![false; graph.node_count()]
        } else {
            bad.extend(bad_unless_asleep);
            let elsewhere = reaching_none(&graph, &bad);
            in_set
                .iter()
                .zip(elsewhere)
                .map(|(&a, b)| a && !b)
                .collect()
        };
        Fixpoint {
            graph,
            in_set,
            dep_of_root,
            lost,
            asleep_only,
        }
    }

    /// Whether root `r` is in the deadlocked set (a cycle, behind one, or
    /// stuck forever).
    pub(crate) fn root_in_set(&self, r: u32) -> bool {
        self.dep_of_root[r as usize].is_some_and(|d| self.in_set[d.index()])
    }
}

/// Per node of `graph`: whether none of `bad` is reachable from it.
fn reaching_none(graph: &DiGraph<Dep, DepEdge>, bad: &[NodeIndex]) -> Vec<bool> {
    let mut clear = vec![true; graph.node_count()];
    let reversed = Reversed(graph);
    let mut dfs = Dfs::empty(reversed);
    dfs.stack.extend_from_slice(bad);
    while let Some(n) = dfs.next(reversed) {
        clear[n.index()] = false;
    }
    clear
}
