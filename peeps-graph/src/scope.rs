//! The *blocked* scope of a merged graph: the noise-free view the UI shows
//! by default and `peeps dot` draws without `--all`.
//!
//! It is every wait (`waits_on`), the futures from the waiting task down to
//! the waiter (`needs`), what is waited on, who holds it (`held_by`), and
//! through RPC requests the remote handlers (`calls`) and their holders;
//! [`blocked_scope`] adds every node an analysis report names.

use crate::analysis::{NodeRef, Step};
use crate::{EdgeKind, Merged, Report};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

/// Waits, the futures from each waiting task down to the waiter, what is
/// waited on, and who holds it (through RPC handlers too).
pub fn blocked_subgraph(merged: &Merged<'_>) -> Vec<bool> {
    let g = merged.graph();
    let mut inc = vec![false; g.node_count()];
    let mut resources = Vec::new();
    for e in g.edge_references() {
        if e.weight().kind != EdgeKind::WaitsOn {
            continue;
        }
        inc[e.target().index()] = true;
        resources.push(e.target());
        // Up the `needs` tree to the task.
        let mut at = e.source();
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
            match e.weight().kind {
                EdgeKind::HeldBy => inc[e.target().index()] = true,
                EdgeKind::Calls if !inc[e.target().index()] => {
                    inc[e.target().index()] = true;
                    resources.push(e.target());
                }
                _ => {}
            }
        }
    }
    inc
}

/// Per merged node: in the blocked subgraph, or named by `report`
/// (deadlocked tasks and resources, the paths of their cycles, tasks stuck
/// behind them, long waits, tasks stuck forever, blocking polls).
pub fn blocked_scope(merged: &Merged<'_>, report: &Report) -> Vec<bool> {
    let mut inc = blocked_subgraph(merged);
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
