//! The atomics the lock-free pieces are built on: std's in the program,
//! loom's mocks when built with `--cfg loom`.
//!
//! Under loom, the models (`loom_tests` in [`crate::hold`], [`crate::wait`],
//! [`crate::task`] and the flight recorder's ring, `history/ring.rs`;
//! `scripts/loom.sh` runs them) drive the code that ships through every
//! interleaving and every value the memory model lets a load see, within a
//! bound on preemptions. The modelled code imports its atomics, fences and
//! spin hint from here; nothing else changes between the two builds.
//!
//! `static` atomics stay on std's: loom's cannot be built in a const
//! context, and what they count (ids, thread keys, the clock) is outside
//! the models.

#[cfg(not(loom))]
pub(crate) use std::{hint, sync};

#[cfg(loom)]
pub(crate) use ::loom::{hint, sync};

/// What the models share.
#[cfg(all(test, loom))]
pub(crate) mod model {
    use crate::node::Describe;
    use crate::ownership::Found;
    use peeps_graph::{Attrs, Edge, Node, NodeKind};

    /// The coarse ms the models' snapshots are taken at.
    pub(crate) const NOW: u64 = 1_000;

    /// The edges `describe` adds to a node of a snapshot taken at [`NOW`]
    /// that found no handle in any task's state.
    pub(crate) fn edges(describe: impl FnOnce(&mut Describe<'_>)) -> Vec<Edge> {
        let mut node = Node {
            id: 0,
            kind: NodeKind::Mutex,
            name: String::new(),
            location: None,
            state: None,
            since_ms: None,
            attrs: Attrs::new(),
        };
        let mut edges = Vec::new();
        let found = Found::default();
        describe(&mut Describe { now_ms: NOW, node: &mut node, edges: &mut edges, found: &found });
        edges
    }

    /// How an edge gives a call site.
    pub(crate) fn site(at: &std::panic::Location<'_>) -> serde_json::Value {
        format!("{}:{}:{}", at.file(), at.line(), at.column()).into()
    }
}
