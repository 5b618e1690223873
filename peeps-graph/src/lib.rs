//! The peeps graph: the snapshot format `peeps/1`, and everything that reads it.
//!
//! A [`Snapshot`] is one process at one instant: its live futures, tasks and
//! resources as [`Node`]s, and who waits on whom as [`Edge`]s. Every crate that
//! writes or reads a snapshot uses these types, so the format has exactly one
//! definition. Node kinds live in [`NodeKind`], edge kinds in [`EdgeKind`], and
//! the attribute names that carry meaning in [`attr`], the operations a wait
//! waits for in [`Op`].
//!
//! This crate has no tokio dependency: a script, the server and the CLI can
//! read dumps without pulling in a runtime.
//!
//! # Reading a dump
//!
//! ```
//! let json = r#"{"schema":"peeps/1",
//!   "process":{"name":"svc","pid":1,"key":"1-0","started_at_ms":0},
//!   "captured_at_ms":0,"nodes":[],"edges":[],"threads":[]}"#;
//! let snap = peeps_graph::Snapshot::from_json(json).unwrap();
//! assert_eq!(snap.process.name, "svc");
//! ```

pub mod analysis;
pub mod attr;
pub mod dot;
mod evidence;
pub mod history;
pub mod lock_order;
pub mod merge;
pub mod metrics;
mod op;
mod read;
mod schema;
pub mod scope;
pub mod wire;

pub use analysis::{Options, Report, analyze, analyze_merged};
pub use evidence::Evidence;
pub use history::{Event, EventKind, History, HistoryNode};
pub use lock_order::{
    LockClass, LockMode, LockOrder, MAX_EDGE_LOCKS, MAX_GATES, OrderDrops, OrderEdge, OrderExample,
    OrderGate,
};
pub use merge::{Merged, merge};
pub use op::Op;
pub use read::ReadError;
pub use schema::{
    Attrs, Edge, EdgeKind, Node, NodeId, NodeKind, Process, SCHEMA, Snapshot, TaskCensus,
    ThreadInfo,
};
