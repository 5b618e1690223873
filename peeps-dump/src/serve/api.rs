//! The HTTP API's envelope types: what `/api/processes`, `/api/graph`,
//! `/api/events` and an error answer carry around peeps-graph's snapshot
//! and report types.
//!
//! These are the types the server serialises, and they derive
//! `schemars::JsonSchema`, so docs/schema.json (written by the test in
//! [`super::schema`]) describes them with the snapshot and the report, and
//! the UI's TypeScript types are generated from that file: the wire format
//! has one definition, here.

use super::store::Source;
use peeps_graph::{Attrs, EdgeKind, NodeKind};
use schemars::JsonSchema;
use serde::Serialize;

/// One process, as `/api/processes` lists it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct ProcessInfo {
    /// The process's key: unique per process lifetime.
    pub(crate) key: String,
    /// Its name (`peeps::init_named`, or the executable's).
    pub(crate) name: String,
    /// Its pid.
    pub(crate) pid: u32,
    /// When it started, ms since the Unix epoch.
    pub(crate) started_at_ms: u64,
    /// When the server last heard from it, ms since the Unix epoch.
    pub(crate) last_seen_ms: u64,
    /// The process disconnected (or its dump is old): its graph is the
    /// last one seen.
    pub(crate) stale: bool,
    /// Where its latest snapshot came from.
    pub(crate) source: Source,
    /// How many nodes its latest snapshot has.
    pub(crate) nodes: usize,
    /// How many edges its latest snapshot has.
    pub(crate) edges: usize,
}

/// `/api/graph`: the merged graph of every process (or of one), in the
/// requested scope.
// `P`, `N` and `E` are the lists as the server writes them (see view.rs);
// the schema names their items.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "GraphResponse")]
pub(crate) struct Graph<P, N, E> {
    /// The latest store change the graph includes.
    pub(crate) seq: u64,
    /// The processes whose nodes it shows (every process, unfiltered).
    pub(crate) processes: P,
    /// Its nodes.
    pub(crate) nodes: N,
    /// Its edges; both ends are among `nodes`.
    pub(crate) edges: E,
}

/// A node of the merged graph: a snapshot node with its global name.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct GraphNode<'a> {
    /// `<process key>:<id>`, unique across processes.
    pub(crate) uid: String,
    /// The process key.
    pub(crate) process: &'a str,
    /// The node's id in its process.
    pub(crate) id: u64,
    /// What the node is.
    pub(crate) kind: NodeKind,
    /// Its name.
    pub(crate) name: &'a str,
    /// Where it was made (`file:line:col`), when known.
    pub(crate) location: Option<&'a str>,
    /// Its state (`polling`, `pending`, `done`, `held`, ...), when it has one.
    pub(crate) state: Option<&'a str>,
    /// How many ms before capture it entered that state.
    pub(crate) since_ms: Option<u64>,
    /// `since_ms` in words (`5.0 s`), as the report says durations.
    pub(crate) since: Option<String>,
    /// Its attributes, as in the snapshot.
    pub(crate) attrs: &'a Attrs,
}

/// An edge of the merged graph; both ends are `uid`s.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct GraphEdge<'a> {
    /// The `uid` of its source.
    pub(crate) from: String,
    /// The `uid` of its target.
    pub(crate) to: String,
    /// What the edge says.
    pub(crate) kind: EdgeKind,
    /// How many ms before capture it appeared.
    pub(crate) since_ms: Option<u64>,
    /// `since_ms` in words (`5.0 s`), as the report says durations.
    pub(crate) since: Option<String>,
    /// Its attributes, as in the snapshot.
    pub(crate) attrs: &'a Attrs,
    /// Its ends are in different processes.
    pub(crate) cross_process: bool,
}

/// The data of a `change` event of `/api/events`: the server has a new
/// view; fetch again.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Change {
    /// The latest store change the new view includes.
    pub(crate) seq: u64,
}

/// Every error answer (status 400, 404, 405 or 500).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "ApiError")]
pub(crate) struct Error<'a> {
    /// What went wrong, in words.
    pub(crate) error: &'a str,
}
