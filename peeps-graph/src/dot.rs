//! Graphviz DOT export of a merged graph, with the analysis drawn on it.
//!
//! Each process is a cluster. Deadlocked cycles are drawn in red (their
//! tasks, resources and the edges of the cycle, futures included as the
//! path inside a task), tasks stuck behind a deadlock in orange, tasks
//! stuck forever in purple, blocking polls in yellow. Cross-process `calls`
//! edges are dashed blue.
//!
//! By default only the *blocked* subgraph is drawn: every wait, the futures
//! from the waiting task down to the waiter, what is waited on and who
//! holds it. That is the noise-free view; [`Scope::All`] draws everything.
//!
//! ```
//! use peeps_graph::{Snapshot, analysis, dot, merge};
//!
//! let snap = Snapshot::from_json(include_str!("../../docs/example-dump.json")).unwrap();
//! let merged = merge(std::slice::from_ref(&snap));
//! let report = analysis::analyze_merged(&merged, &analysis::Options::default());
//! let text = dot::to_dot(&merged, &report, &dot::DotOptions::default());
//! assert!(text.starts_with("digraph peeps {"));
//! assert!(text.contains("color=\"#d00000\""));
//! ```

use crate::analysis::{NodeRef, Report, Step};
use crate::merge::{IdMap, Merged, NodeIndex};
use crate::schema::{EdgeKind, NodeKind};
use petgraph::visit::EdgeRef;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Which part of the graph to draw (here) or serve (`peeps serve`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Waits, the futures leading to them, what they wait on and who holds
    /// it, plus every node the report names.
    #[default]
    Blocked,
    /// Every node and edge.
    All,
}

impl Scope {
    /// Whether edges of `kind` belong in this scope (between nodes it
    /// shows): the blocked scope leaves out `spawned` lineage.
    pub fn shows(self, kind: EdgeKind) -> bool {
        !(self == Scope::Blocked && kind == EdgeKind::Spawned)
    }
}

/// Options of [`to_dot`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DotOptions {
    /// Which nodes to draw.
    pub scope: Scope,
}

impl DotOptions {
    /// Sets the scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }
}

const RED: &str = "#d00000";
const DEADLOCK_FILL: &str = "#ffd6d6";
const BEHIND_FILL: &str = "#ffe2b8";
const STUCK_FILL: &str = "#e6d6ff";
const POLL_FILL: &str = "#fff3b0";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    BlockingPoll,
    Behind,
    Stuck,
    Deadlock,
}

/// Writes the merged graph as Graphviz DOT, with the report's findings
/// highlighted. Names and locations are escaped; the output is valid DOT
/// whatever the snapshots contain.
pub fn to_dot(merged: &Merged<'_>, report: &Report, options: &DotOptions) -> String {
    let g = merged.graph();
    let find = |r: &NodeRef| merged.find(&r.process, r.id);
    let mut marks: IdMap<u32, Mark> = IdMap::default();
    let mut mark = |ix: Option<NodeIndex>, m: Mark| {
        if let Some(ix) = ix {
            let slot = marks.entry(ix.index() as u32).or_insert(Mark::None);
            // A stronger mark wins (deadlock over behind over the rest).
            if m as u8 > *slot as u8 {
                *slot = m;
            }
        }
    };
    let mut red_edges: HashSet<(u32, u32)> = HashSet::new();
    for d in &report.deadlocks {
        for n in d.tasks.iter().chain(&d.resources) {
            mark(find(n), Mark::Deadlock);
        }
        for step in &d.cycle {
            for f in step.path.iter().chain(&step.via) {
                mark(find(f), Mark::Deadlock);
            }
            step_edges(merged, step, &mut red_edges);
        }
        for step in &d.behind {
            mark(find(&step.task), Mark::Behind);
        }
    }
    for s in &report.stuck_forever {
        mark(find(&s.task), Mark::Stuck);
        for step in &s.behind {
            mark(find(&step.task), Mark::Behind);
        }
    }
    for p in &report.blocking_polls {
        mark(find(&p.task), Mark::BlockingPoll);
        for f in &p.path {
            mark(find(f), Mark::BlockingPoll);
        }
    }

    let included: Vec<bool> = match options.scope {
        Scope::All => vec![true; g.node_count()],
        Scope::Blocked => {
            let mut inc = crate::scope::blocked_subgraph(merged);
            for &ix in marks.keys() {
                inc[ix as usize] = true;
            }
            inc
        }
    };

    let mut out = String::from("digraph peeps {\n");
    out.push_str("  rankdir=LR;\n  compound=true;\n");
    out.push_str("  node [fontname=\"monospace\", fontsize=10, style=filled, fillcolor=white];\n");
    out.push_str("  edge [fontname=\"monospace\", fontsize=9];\n");
    if !included.iter().any(|&b| b) {
        out.push_str("  // nothing is blocked\n");
    }
    for (p, snap) in merged.processes().iter().enumerate() {
        let members: Vec<NodeIndex> = g
            .node_indices()
            .filter(|&ix| included[ix.index()] && g[ix].process == p)
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "  subgraph \"cluster_{p}\" {{");
        let _ = writeln!(
            out,
            "    label=\"{} (pid {})\";",
            escape(&snap.process.name),
            snap.process.pid
        );
        out.push_str("    style=rounded; color=gray;\n");
        for ix in members {
            let m = marks
                .get(&(ix.index() as u32))
                .copied()
                .unwrap_or(Mark::None);
            node_line(&mut out, merged, ix, m);
        }
        out.push_str("  }\n");
    }
    for e in g.edge_references() {
        let (a, b) = (e.source(), e.target());
        if !included[a.index()] || !included[b.index()] {
            continue;
        }
        let w = e.weight();
        if !options.scope.shows(w.kind) {
            continue;
        }
        let red = red_edges.contains(&(a.index() as u32, b.index() as u32));
        let (color, mut style) = match w.kind {
            EdgeKind::Needs => ("gray40", "solid"),
            EdgeKind::WaitsOn => ("black", "solid"),
            EdgeKind::HeldBy => ("gray25", "bold"),
            EdgeKind::Calls => ("blue", "dashed"),
            EdgeKind::Spawned => ("gray70", "dotted"),
        };
        if !w.confirmed() {
            style = "dashed";
        }
        let mut attrs = format!("label=\"{}\", style={style}", edge_label(w));
        if red {
            let _ = write!(attrs, ", color=\"{RED}\", fontcolor=\"{RED}\", penwidth=3");
        } else {
            let _ = write!(attrs, ", color={color}");
        }
        let _ = writeln!(out, "  n{} -> n{} [{attrs}];", a.index(), b.index(),);
    }
    out.push_str("}\n");
    out
}

/// The merged edges a step of a cycle runs along: the task's `needs` path,
/// the wait, and the hold (or the RPC's call and the handler's hold).
fn step_edges(merged: &Merged<'_>, step: &Step, out: &mut HashSet<(u32, u32)>) {
    let find = |r: &NodeRef| merged.find(&r.process, r.id).map(|ix| ix.index() as u32);
    let chain: Vec<Option<u32>> = std::iter::once(&step.task)
        .chain(&step.path)
        .map(find)
        .collect();
    for pair in chain.windows(2) {
        if let [Some(a), Some(b)] = pair {
            out.insert((*a, *b));
        }
    }
    let on = find(&step.waits_on);
    let holder = find(&step.held_by);
    if let (Some(Some(waiter)), Some(on)) = (chain.last(), on) {
        out.insert((*waiter, on));
    }
    match (&step.via, on, holder) {
        (Some(via), Some(on), Some(holder)) => {
            if let Some(h) = find(via) {
                out.insert((on, h));
                out.insert((h, holder));
            }
        }
        (None, Some(on), Some(holder)) if on != holder => {
            out.insert((on, holder));
        }
        _ => {}
    }
}

fn node_line(out: &mut String, merged: &Merged<'_>, ix: NodeIndex, mark: Mark) {
    let node = merged.node(ix);
    let shape = match node.kind {
        NodeKind::Task => "box, style=\"rounded,filled\"",
        NodeKind::Thread => "box3d",
        NodeKind::Future => "ellipse",
        NodeKind::Mutex | NodeKind::Rwlock | NodeKind::Semaphore => "octagon",
        NodeKind::Channel => "cds",
        NodeKind::Notify => "diamond",
        NodeKind::Request => "larrow",
        NodeKind::Handler => "rarrow",
    };
    let mut label = format!("{}\\n{}", node.kind, escape(&node.name));
    if let Some(loc) = &node.location {
        let _ = write!(label, "\\n{}", escape(crate::analysis::short_location(loc)));
    }
    if let Some(state) = &node.state {
        let _ = write!(label, "\\n[{}]", escape(state));
    }
    let style = match mark {
        Mark::Deadlock => format!(", fillcolor=\"{DEADLOCK_FILL}\", color=\"{RED}\", penwidth=2"),
        Mark::Behind => format!(", fillcolor=\"{BEHIND_FILL}\""),
        Mark::Stuck => format!(", fillcolor=\"{STUCK_FILL}\""),
        Mark::BlockingPoll => format!(", fillcolor=\"{POLL_FILL}\""),
        Mark::None => String::new(),
    };
    let _ = writeln!(
        out,
        "    n{} [shape={shape}, label=\"{label}\"{style}];",
        ix.index()
    );
}

fn edge_label(w: &crate::merge::MergedEdge<'_>) -> String {
    let extra = match w.kind {
        EdgeKind::WaitsOn => w.op().map(crate::Op::as_str),
        EdgeKind::HeldBy => w.attr_str(crate::attr::AS),
        _ => None,
    };
    let mut label = match extra {
        Some(x) => format!("{} ({x})", w.kind),
        None => w.kind.to_string(),
    };
    // The line that waits or took the hold, and for how long: as the report
    // says it (`waits at src/x.rs:25 … for 6.2 s`, `held since src/x.rs:31`).
    let place = match w.kind {
        EdgeKind::WaitsOn => "at",
        EdgeKind::HeldBy => "since",
        _ => return escape(&label),
    };
    let at = w
        .attr_str(crate::attr::AT)
        .map(crate::analysis::short_location);
    match (at, w.since_ms) {
        (Some(at), Some(ms)) => {
            let _ = write!(label, "\n{place} {at}, {}", crate::analysis::duration(ms));
        }
        (Some(at), None) => {
            let _ = write!(label, "\n{place} {at}");
        }
        (None, Some(ms)) => {
            let _ = write!(label, "\nfor {}", crate::analysis::duration(ms));
        }
        (None, None) => {}
    }
    escape(&label)
}

/// Escapes a string for a double-quoted DOT string.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn wait_and_hold_edges_say_their_line_and_how_long() {
        let snap =
            crate::Snapshot::from_json(include_str!("../../docs/example-dump.json")).unwrap();
        let snaps = [snap];
        let merged = crate::merge::merge(&snaps);
        let report = crate::analyze_merged(&merged, &Default::default());
        let dot = super::to_dot(&merged, &report, &Default::default());
        assert!(
            dot.contains(r#"label="waits_on (lock)\nat src/bank.rs:22, 5.0 s""#),
            "{dot}"
        );
        assert!(
            dot.contains(r#"label="held_by (guard)\nsince src/bank.rs:21, 5.0 s""#),
            "{dot}"
        );
    }

    #[test]
    fn escapes_quotes_backslashes_and_controls() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("x\ny\u{7}"), "x\\ny ");
    }
}
