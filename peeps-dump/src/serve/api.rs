//! The HTTP API's envelope types: what `/api/processes`, `/api/dumps`,
//! `/api/graph`, `/api/events`, `/api/status` and an error answer carry around peeps-graph's snapshot
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
    /// The process disconnected: its graph is the last one seen. It is
    /// forgotten after `--stale-after`.
    pub(crate) stale: bool,
    /// Where its latest snapshot came from: `push` (a recording served
    /// with `--replay` may say `dump`; live dumps are in `/api/dumps`).
    pub(crate) source: Source,
    /// How many nodes its latest snapshot has.
    pub(crate) nodes: usize,
    /// How many edges its latest snapshot has.
    pub(crate) edges: usize,
}

/// One dump, as `/api/dumps` lists it: a process at one past instant,
/// analysed on its own and never part of the live view.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct DumpInfo {
    /// The process's key (`dump=KEY` serves this dump's graph and report).
    pub(crate) key: String,
    /// The process's name.
    pub(crate) name: String,
    /// Its pid.
    pub(crate) pid: u32,
    /// When the process started, ms since the Unix epoch.
    pub(crate) started_at_ms: u64,
    /// When the dump was captured, ms since the Unix epoch.
    pub(crate) captured_at_ms: u64,
    /// How long ago it was captured, in ms (now − `captured_at_ms`).
    pub(crate) age_ms: u64,
    /// `age_ms` in words (`3 h 5 min`).
    pub(crate) age: String,
    /// The file it was read from.
    pub(crate) file: String,
    /// How many nodes it has.
    pub(crate) nodes: usize,
    /// How many edges it has.
    pub(crate) edges: usize,
    /// How many deadlocks its own analysis found (then, not now).
    pub(crate) deadlocks: usize,
}

/// `/api/status`: what the server holds, and how it keeps up.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Status {
    /// The latest store change the live view includes.
    pub(crate) seq: u64,
    /// Processes in the live view, live and stale.
    pub(crate) processes: usize,
    /// Of them, the live ones (an open push connection feeds them).
    pub(crate) live: usize,
    /// Of them, the stale ones.
    pub(crate) stale: usize,
    /// Dumps held.
    pub(crate) dumps: usize,
    /// Pushed snapshots taken since start.
    pub(crate) snapshots_received: u64,
    /// Their bytes.
    pub(crate) bytes_received: u64,
    /// Processes forgotten since start: stale for `--stale-after`, or to
    /// make room within `--max-memory`.
    pub(crate) forgotten: u64,
    /// New processes and dumps refused since start for lack of room.
    pub(crate) refused: u64,
    /// The analyses of the live view.
    pub(crate) analysis: AnalysisStatus,
    /// Memory, against `--max-memory`.
    pub(crate) memory: MemoryStatus,
}

/// How long the analyses of the live view take (merge, analysis, scope).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AnalysisStatus {
    /// How many have run (changes arriving together share one).
    pub(crate) count: u64,
    /// The last one, in ms.
    pub(crate) last_ms: f64,
    /// Their mean, in ms.
    pub(crate) mean_ms: f64,
    /// The longest, in ms.
    pub(crate) max_ms: f64,
    /// How many nodes the last one merged.
    pub(crate) nodes: usize,
}

/// Memory, against the budget.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct MemoryStatus {
    /// The budget (`--max-memory`), in bytes.
    pub(crate) max_bytes: usize,
    /// What the processes and dumps held count for (26 bytes per byte of
    /// snapshot JSON: the JSON, its parsed form, the view; measured).
    pub(crate) held_bytes: usize,
    /// What the recording holds (it gets what the rest leaves, at most
    /// `--record-bytes`).
    pub(crate) recording_bytes: usize,
    /// The server's resident set size, where the system says it.
    pub(crate) rss_bytes: Option<u64>,
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

/// `/api/recording`: the instants the server can show the graph at.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Recording {
    /// The server serves a recording (`peeps serve --replay DIR`): nothing
    /// new comes in.
    pub(crate) replay: bool,
    /// The directory recorded to (`--record`) or replayed, if any.
    pub(crate) dir: Option<String>,
    /// How many snapshots are kept.
    pub(crate) snapshots: usize,
    /// Their size in bytes.
    pub(crate) bytes: usize,
    /// The budget (`--record-bytes`, less when `--max-memory` needs the
    /// room): past it, the oldest go.
    pub(crate) max_bytes: usize,
    /// The capture times of the snapshots kept, ms since the Unix epoch,
    /// oldest first (evenly thinned to at most 5000): pass one as `at=` to
    /// `/api/graph`, `/api/deadlocks`, `/api/processes` and `/api/history`.
    pub(crate) instants: Vec<u64>,
}

/// `/api/history?node=UID`: what one node's process recorded about it,
/// oldest first, in words.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct NodeHistory {
    /// The node asked about.
    pub(crate) uid: String,
    /// Its process's snapshot carries a history (its recorder was on).
    pub(crate) recorded: bool,
    /// The events concerning it, as the task that acted or the node acted
    /// on.
    pub(crate) entries: Vec<peeps_graph::analysis::TimelineEntry>,
}
