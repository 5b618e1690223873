//! The *blocked* scope of the graph: the noise-free view the UI shows by
//! default, the same nodes `peeps dot` draws without `--all`.
//!
//! It is every wait (`waits_on`), the futures from the waiting task down to
//! the waiter (`needs`), what is waited on, who holds it (`held_by`), and
//! through RPC requests the remote handlers (`calls`) and their holders;
//! plus every node the analysis report names (deadlocked tasks and
//! resources, the paths of their cycles, tasks stuck behind them, long
//! waits, tasks stuck forever, blocking polls).
//!
//! This mirrors `peeps_graph::dot`'s private `blocked_subgraph`, which is
//! not public API; if peeps-graph ever exports it, use that instead.

use peeps_graph::analysis::{NodeRef, Step};
use peeps_graph::{EdgeKind, Merged, Report};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

/// Per merged node: is it in the blocked scope?
pub(crate) fn blocked(merged: &Merged<'_>, report: &Report) -> Vec<bool> {
    let g = merged.graph();
    let mut inc = vec![false; g.node_count()];
    let mut resources = Vec::new();
    for e in g.edge_references() {
        if e.weight().kind != EdgeKind::WaitsOn {
            continue;
        }
        let (from, to) = (e.source(), e.target());
        inc[to.index()] = true;
        resources.push(to);
        // Up the `needs` tree to the task.
        let mut at = from;
        while !inc[at.index()] {
            inc[at.index()] = true;
            let parent = g
                .edges_directed(at, Direction::Incoming)
                .find(|p| p.weight().kind == EdgeKind::Needs)
                .map(|p| p.source());
            match parent {
                Some(p) => at = p,
                None => break,
            }
        }
    }
    while let Some(r) = resources.pop() {
        for e in g.edges_directed(r, Direction::Outgoing) {
            let target = e.target();
            match e.weight().kind {
                EdgeKind::HeldBy => inc[target.index()] = true,
                EdgeKind::Calls if !inc[target.index()] => {
                    inc[target.index()] = true;
                    resources.push(target);
                }
                _ => {}
            }
        }
    }
    for r in named(report) {
        if let Some(ix) = merged.find(&r.process, r.id) {
            inc[ix.index()] = true;
        }
    }
    inc
}

/// Every node the report names.
fn named(report: &Report) -> Vec<&NodeRef> {
    fn step<'a>(out: &mut Vec<&'a NodeRef>, s: &'a Step) {
        out.push(&s.task);
        out.extend(&s.path);
        out.push(&s.waits_on);
        out.push(&s.held_by);
        out.extend(&s.via);
    }
    let mut out = Vec::new();
    for d in &report.deadlocks {
        out.extend(d.tasks.iter().chain(&d.resources));
        for s in d.cycle.iter().chain(&d.behind) {
            step(&mut out, s);
        }
    }
    for w in &report.long_waits {
        out.push(&w.task);
        out.extend(&w.path);
        out.push(&w.waits_on);
        out.extend(&w.held_by);
    }
    for s in &report.stuck_forever {
        out.push(&s.task);
        for b in &s.behind {
            step(&mut out, b);
        }
    }
    for p in &report.blocking_polls {
        out.push(&p.task);
        out.extend(&p.path);
        out.extend(&p.parked_on);
    }
    out
}
