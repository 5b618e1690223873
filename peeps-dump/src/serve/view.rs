//! The view: what the HTTP API serves, recomputed after changes.
//!
//! After a change of the store, a copy of it is merged (latest snapshot
//! per live or stale process, cross-process `calls` edges stitched) and
//! analysed on a blocking thread, never on the async workers, and
//! published as one immutable [`View`]. Every request reads the latest
//! published view, so the process list, the graph and the report a client
//! fetches after a change event all describe the same instant, and a
//! request never waits for an analysis: while one runs, the last finished
//! view answers.
//!
//! Changes are coalesced: an analysis starts at least [`MIN_PAUSE`] after
//! the previous one started, and at least as long after the previous one
//! ended as that one took, so however many processes push, analysing
//! takes at most half of one core, and the view lags a push by at most
//! about three analysis times. The view's `seq` is the latest change it
//! includes.
//!
//! Dumps are analysed apart, each on its own (a dump is one process at one
//! past instant), once when it is read: a [`DumpView`] per dump, listed by
//! `/api/dumps` and served with `dump=KEY`. Nothing of a dump enters the
//! live view.
//!
//! The view keeps the merged graph as indices into the snapshots (no node
//! is copied) and serialises the JSON of a response on demand; the
//! report's JSON and the unfiltered graphs are serialised at most once per
//! view.

use super::api::{
    AnalysisStatus, DumpInfo, Graph, GraphEdge, GraphNode, MemoryStatus, NodeHistory, ProcessInfo,
    Status,
};
use super::record::Recorder;
use super::store::{Contents, Dump, Entry, Source, Store, now_ms};
use bytes::Bytes;
use peeps_graph::analysis::duration;
use peeps_graph::dot::Scope;
use peeps_graph::{Attrs, EdgeKind, Options, Snapshot};
use petgraph::visit::EdgeRef;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The least time between the starts of two analyses of the live view.
pub(crate) const MIN_PAUSE: Duration = Duration::from_millis(100);

/// The dumps of a view, by process key.
type Dumps = BTreeMap<String, Arc<DumpView>>;

/// A node of the merged graph: the `index`-th node of snapshot `process`.
#[derive(Debug, Clone, Copy)]
struct NodeAt {
    process: u32,
    index: u32,
}

#[derive(Debug, Clone)]
struct EdgeAt {
    from: u32,
    to: u32,
    kind: EdgeKind,
    since_ms: Option<u64>,
    attrs: AttrsAt,
}

/// Where an edge's attributes are: most are read in place from the edge
/// of the `from` node's snapshot (a copy per edge would be a map
/// allocation each: hundreds of MB at 600,000 nodes).
#[derive(Debug, Clone)]
enum AttrsAt {
    /// None (stitched `calls` edges, edges without attributes).
    Empty,
    /// The attributes of edge `i` of the `from` node's snapshot.
    Edge(u32),
    /// A copy (an edge the merge took from elsewhere).
    Owned(Box<Attrs>),
}

/// The empty attributes, for [`AttrsAt::Empty`].
static NO_ATTRS: std::sync::LazyLock<Attrs> = std::sync::LazyLock::new(Attrs::new);

/// Where `attrs` is among the edges of `snap`: the index of the edge it
/// belongs to, found by its address and checked.
fn edge_index(snap: &Snapshot, attrs: &Attrs) -> Option<u32> {
    let first = snap.edges.first()?;
    let offset =
        (attrs as *const Attrs as usize).checked_sub(&first.attrs as *const Attrs as usize)?;
    let i = offset / std::mem::size_of::<peeps_graph::Edge>();
    let edge = snap.edges.get(i)?;
    std::ptr::eq(&edge.attrs, attrs).then_some(u32::try_from(i).ok()?)
}

/// Everything the API serves at one change number.
#[derive(Debug)]
pub(crate) struct View {
    /// The latest store change this view includes.
    pub(crate) seq: u64,
    processes: Vec<ProcessInfo>,
    snaps: Vec<Arc<Snapshot>>,
    raw: HashMap<String, Bytes>,
    nodes: Vec<NodeAt>,
    edges: Vec<EdgeAt>,
    blocked: Vec<bool>,
    report_json: Bytes,
    /// `/metrics`: per process, in `processes` order.
    metrics: Vec<peeps_graph::metrics::ProcessMetrics>,
    /// How many deadlocks the report has.
    deadlocks: usize,
    /// The unfiltered graph responses, blocked then all, made on first use.
    whole: [OnceLock<Bytes>; 2],
    /// The dumps, each analysed on its own (empty in a dump's own view).
    dumps: Arc<Dumps>,
}

/// One dump and its own view.
#[derive(Debug)]
pub(crate) struct DumpView {
    /// The file it was read from.
    file: String,
    /// Its snapshot's capture time, ms since the Unix epoch.
    captured_at_ms: u64,
    /// The dump alone, merged and analysed: its graph and its findings.
    pub(crate) view: Arc<View>,
}

impl DumpView {
    fn build(key: &str, dump: &Dump, options: &Options) -> DumpView {
        let entry = Entry {
            snapshot: dump.snapshot.clone(),
            raw: dump.raw.clone(),
            source: Source::Dump,
            live: 0,
            last_seen_ms: dump.snapshot.captured_at_ms,
        };
        let contents = Contents {
            seq: 0,
            processes: vec![(key.to_owned(), entry)],
            dumps: Vec::new(),
        };
        DumpView {
            file: dump.file.display().to_string(),
            captured_at_ms: dump.snapshot.captured_at_ms,
            view: Arc::new(View::build(contents, options)),
        }
    }

    /// What `/api/dumps` says of it, `now_ms` being now.
    fn info(&self, now_ms: u64) -> DumpInfo {
        let p = &self.view.processes[0];
        let age_ms = now_ms.saturating_sub(self.captured_at_ms);
        DumpInfo {
            key: p.key.clone(),
            name: p.name.clone(),
            pid: p.pid,
            started_at_ms: p.started_at_ms,
            captured_at_ms: self.captured_at_ms,
            age_ms,
            age: duration(age_ms),
            file: self.file.clone(),
            nodes: p.nodes,
            edges: p.edges,
            deadlocks: self.view.deadlocks,
        }
    }
}

impl View {
    /// Merges and analyses the processes of a copy of the store (not its
    /// dumps: see [`View::with_dumps`]).
    pub(crate) fn build(contents: Contents, options: &Options) -> View {
        let snaps: Vec<Arc<Snapshot>> = contents
            .processes
            .iter()
            .map(|(_, e)| e.snapshot.clone())
            .collect();
        let merged = peeps_graph::merge(snaps.iter().map(|s| &**s));
        let (report, mut metrics) = peeps_graph::metrics::analyze_with_metrics(&merged, options);
        super::metrics::mark_stale(&mut metrics, &contents);
        let blocked = peeps_graph::scope::blocked_scope(&merged, &report);

        // The store's keys are unique, so merging kept every snapshot, in
        // order: merged process p is snaps[p], and each merged node is at
        // its recorded position in that snapshot.
        let g = merged.graph();
        let nodes: Vec<NodeAt> = g
            .node_weights()
            .map(|w| NodeAt {
                process: w.process as u32,
                index: w.index as u32,
            })
            .collect();
        let edges = g
            .edge_references()
            .map(|e| {
                let w = e.weight();
                let from = e.source().index() as u32;
                let attrs = match w.attrs {
                    None => AttrsAt::Empty,
                    Some(a) if a.is_empty() => AttrsAt::Empty,
                    Some(a) => {
                        let snap = &snaps[nodes[from as usize].process as usize];
                        match edge_index(snap, a) {
                            Some(i) => AttrsAt::Edge(i),
                            None => AttrsAt::Owned(Box::new(a.clone())),
                        }
                    }
                };
                EdgeAt {
                    from,
                    to: e.target().index() as u32,
                    kind: w.kind,
                    since_ms: w.since_ms,
                    attrs,
                }
            })
            .collect();
        let processes = contents
            .processes
            .iter()
            .map(|(key, e)| ProcessInfo {
                key: key.clone(),
                name: e.snapshot.process.name.clone(),
                pid: e.snapshot.process.pid,
                started_at_ms: e.snapshot.process.started_at_ms,
                last_seen_ms: e.last_seen_ms,
                stale: e.stale(),
                source: e.source,
                nodes: e.snapshot.nodes.len(),
                edges: e.snapshot.edges.len(),
            })
            .collect();
        let raw = contents
            .processes
            .iter()
            .map(|(key, e)| (key.clone(), e.raw.clone()))
            .collect();
        let report_json = Bytes::from(
            serde_json::to_vec(&report).expect("a report always serializes (string keys only)"),
        );
        let deadlocks = report.deadlocks.len();
        drop(merged);
        View {
            seq: contents.seq,
            processes,
            snaps,
            raw,
            nodes,
            edges,
            blocked,
            report_json,
            metrics,
            deadlocks,
            whole: [OnceLock::new(), OnceLock::new()],
            dumps: Arc::default(),
        }
    }

    /// This view with the dumps of `contents`, each analysed on its own:
    /// a dump already in `previous` (same process, same capture time) is
    /// not analysed again.
    fn with_dumps(mut self, dumps: &[(String, Dump)], previous: &Dumps, options: &Options) -> View {
        let unchanged = dumps.len() == previous.len()
            && dumps.iter().all(|(k, d)| {
                previous
                    .get(k)
                    .is_some_and(|v| v.captured_at_ms == d.snapshot.captured_at_ms)
            });
        self.dumps = if unchanged {
            Arc::new(previous.clone())
        } else {
            Arc::new(
                dumps
                    .iter()
                    .map(|(k, d)| {
                        let view = match previous.get(k) {
                            Some(v) if v.captured_at_ms == d.snapshot.captured_at_ms => v.clone(),
                            _ => Arc::new(DumpView::build(k, d, options)),
                        };
                        (k.clone(), view)
                    })
                    .collect(),
            )
        };
        self
    }

    /// `/api/dumps`: every dump, with its age now.
    pub(crate) fn dumps(&self) -> Vec<DumpInfo> {
        let now = now_ms();
        self.dumps.values().map(|d| d.info(now)).collect()
    }

    /// The view of the dump of process `key`.
    pub(crate) fn dump(&self, key: &str) -> Option<Arc<View>> {
        self.dumps.get(key).map(|d| d.view.clone())
    }

    /// How many nodes the live view merged.
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// `/api/processes`.
    pub(crate) fn processes(&self) -> &[ProcessInfo] {
        &self.processes
    }

    /// `/api/deadlocks`: the report, serialised once.
    pub(crate) fn report_json(&self) -> Bytes {
        self.report_json.clone()
    }

    /// `/metrics`: the numbers of each process, counted with the report.
    pub(crate) fn metrics(&self) -> &[peeps_graph::metrics::ProcessMetrics] {
        &self.metrics
    }

    /// `/api/snapshots/{key}`: the latest snapshot as received, of a
    /// live or stale process, else of a dump.
    pub(crate) fn raw_snapshot(&self, key: &str) -> Option<Bytes> {
        self.raw
            .get(key)
            .cloned()
            .or_else(|| self.dumps.get(key)?.view.raw.get(key).cloned())
    }

    /// True when a process with this key is known.
    pub(crate) fn has_process(&self, key: &str) -> bool {
        self.raw.contains_key(key)
    }

    /// `/api/graph`: the merged graph in `scope`, optionally only around one
    /// process (its nodes, the edges touching them and their far ends).
    pub(crate) fn graph_json(&self, scope: Scope, process: Option<&str>) -> Bytes {
        let make = || {
            let json = serde_json::to_vec(&GraphResponse::new(self, scope, process));
            Bytes::from(json.expect("a graph always serializes (string keys only)"))
        };
        if process.is_some() {
            return make();
        }
        let slot = match scope {
            Scope::Blocked => &self.whole[0],
            Scope::All => &self.whole[1],
        };
        slot.get_or_init(make).clone()
    }

    /// `/api/history?node=UID`: what the node's process recorded about
    /// it, `None` when no process has that key.
    pub(crate) fn node_history(&self, uid: &str) -> Option<NodeHistory> {
        let (key, id) = uid.rsplit_once(':')?;
        let id: u64 = id.parse().ok()?;
        let snap = self.snaps.iter().find(|s| s.process.key == key)?;
        Some(NodeHistory {
            uid: uid.to_owned(),
            recorded: snap.history.is_some(),
            entries: peeps_graph::analysis::node_timeline(snap, id),
        })
    }

    fn edge_attrs<'a>(&'a self, e: &'a EdgeAt) -> &'a Attrs {
        match &e.attrs {
            AttrsAt::Empty => &NO_ATTRS,
            AttrsAt::Edge(i) => {
                let snap = &self.snaps[self.nodes[e.from as usize].process as usize];
                &snap.edges[*i as usize].attrs
            }
            AttrsAt::Owned(a) => a,
        }
    }

    fn uid(&self, n: u32) -> String {
        let at = self.nodes[n as usize];
        let snap = &self.snaps[at.process as usize];
        format!("{}:{}", snap.process.key, snap.nodes[at.index as usize].id)
    }
}

/// The selection a graph response serialises.
pub(crate) struct GraphResponse<'v> {
    view: &'v View,
    nodes: Vec<u32>,
    edges: Vec<u32>,
    processes: Vec<usize>,
}

impl<'v> GraphResponse<'v> {
    fn new(view: &'v View, scope: Scope, process: Option<&str>) -> Self {
        let in_scope = |n: u32| scope == Scope::All || view.blocked[n as usize];
        let edge_in = |e: &EdgeAt| in_scope(e.from) && in_scope(e.to) && scope.shows(e.kind);
        let only = process.and_then(|key| view.processes.iter().position(|p| p.key == key));
        let mut chosen = vec![false; view.nodes.len()];
        let mut edges = Vec::new();
        match only {
            None => {
                for (n, c) in chosen.iter_mut().enumerate() {
                    *c = in_scope(n as u32);
                }
                for (i, e) in view.edges.iter().enumerate() {
                    if edge_in(e) {
                        edges.push(i as u32);
                    }
                }
            }
            Some(p) => {
                let mine = |n: u32| view.nodes[n as usize].process as usize == p;
                for (n, c) in chosen.iter_mut().enumerate() {
                    *c = mine(n as u32) && in_scope(n as u32);
                }
                for (i, e) in view.edges.iter().enumerate() {
                    if edge_in(e) && (mine(e.from) || mine(e.to)) {
                        chosen[e.from as usize] = true;
                        chosen[e.to as usize] = true;
                        edges.push(i as u32);
                    }
                }
            }
        }
        let nodes: Vec<u32> = (0..view.nodes.len() as u32)
            .filter(|&n| chosen[n as usize])
            .collect();
        let mut shown = vec![false; view.processes.len()];
        if let Some(p) = only {
            shown[p] = true;
        } else {
            shown.iter_mut().for_each(|s| *s = true);
        }
        for &n in &nodes {
            shown[view.nodes[n as usize].process as usize] = true;
        }
        let processes = (0..shown.len()).filter(|&p| shown[p]).collect();
        GraphResponse {
            view,
            nodes,
            edges,
            processes,
        }
    }
}

impl Serialize for GraphResponse<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Graph {
            seq: self.view.seq,
            processes: Processes(self),
            nodes: Nodes(self),
            edges: Edges(self),
        }
        .serialize(s)
    }
}

/// The lists of a graph response, each written straight from the view.
pub(crate) struct Processes<'r, 'v>(&'r GraphResponse<'v>);
pub(crate) struct Nodes<'r, 'v>(&'r GraphResponse<'v>);
pub(crate) struct Edges<'r, 'v>(&'r GraphResponse<'v>);

/// In the schema, each list is the array it writes.
macro_rules! schema_as {
    ($($list:ident => $as:ty),* $(,)?) => {$(
        impl JsonSchema for $list<'_, '_> {
            fn inline_schema() -> bool {
                <$as>::inline_schema()
            }
            fn schema_name() -> Cow<'static, str> {
                <$as>::schema_name()
            }
            fn schema_id() -> Cow<'static, str> {
                <$as>::schema_id()
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                <$as>::json_schema(generator)
            }
        }
    )*};
}
schema_as!(
    Processes => Vec<ProcessInfo>,
    Nodes => Vec<GraphNode<'static>>,
    Edges => Vec<GraphEdge<'static>>,
);

/// The graph response as the schema names it.
#[cfg(test)]
pub(crate) type GraphSchema<'r, 'v> = Graph<Processes<'r, 'v>, Nodes<'r, 'v>, Edges<'r, 'v>>;

impl Serialize for Processes<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut seq = s.serialize_seq(Some(r.processes.len()))?;
        for &p in &r.processes {
            seq.serialize_element(&r.view.processes[p])?;
        }
        seq.end()
    }
}

impl Serialize for Nodes<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0.view;
        let mut seq = s.serialize_seq(Some(self.0.nodes.len()))?;
        for &n in &self.0.nodes {
            let at = v.nodes[n as usize];
            let snap = &v.snaps[at.process as usize];
            let node = &snap.nodes[at.index as usize];
            seq.serialize_element(&GraphNode {
                uid: v.uid(n),
                process: &snap.process.key,
                id: node.id,
                kind: node.kind,
                name: &node.name,
                location: node.location.as_deref(),
                state: node.state.as_deref(),
                since_ms: node.since_ms,
                since: node.since_ms.map(duration),
                attrs: &node.attrs,
            })?;
        }
        seq.end()
    }
}

impl Serialize for Edges<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let v = self.0.view;
        let mut seq = s.serialize_seq(Some(self.0.edges.len()))?;
        for &i in &self.0.edges {
            let e = &v.edges[i as usize];
            seq.serialize_element(&GraphEdge {
                from: v.uid(e.from),
                to: v.uid(e.to),
                kind: e.kind,
                since_ms: e.since_ms,
                since: e.since_ms.map(duration),
                attrs: v.edge_attrs(e),
                cross_process: v.nodes[e.from as usize].process != v.nodes[e.to as usize].process,
            })?;
        }
        seq.end()
    }
}

/// The latest view, and a background task that makes a new one after
/// changes of the store.
#[derive(Debug, Clone)]
pub(crate) struct Views {
    latest: watch::Receiver<Arc<View>>,
    store: Arc<Store>,
    recorder: Arc<Recorder>,
    options: Options,
    /// The last view of an earlier instant, by the snapshots it is made of
    /// (stepping through a recording asks for the same one repeatedly).
    past: Arc<std::sync::Mutex<Option<PastView>>>,
    /// How long the analyses of the live view take.
    timing: Arc<Mutex<Timing>>,
}

/// A view of an earlier instant, with the snapshots (process key, capture
/// time) it was made of.
type PastView = (Vec<(String, u64)>, Arc<View>);

/// How long the analyses of the live view took.
#[derive(Debug, Default, Clone, Copy)]
struct Timing {
    count: u64,
    total: Duration,
    last: Duration,
    max: Duration,
    nodes: usize,
}

impl Timing {
    fn add(&mut self, took: Duration, nodes: usize) {
        self.count += 1;
        self.total += took;
        self.last = took;
        self.max = self.max.max(took);
        self.nodes = nodes;
    }
}

impl Views {
    /// Builds the first view from the store as it is, then follows it.
    pub(crate) async fn start(store: Arc<Store>, options: Options) -> Views {
        let recorder = store.recorder().clone();
        let mut changes = store.subscribe();
        changes.mark_unchanged();
        let timing = Arc::new(Mutex::new(Timing::default()));
        let first = build(
            store.contents(),
            options.clone(),
            Arc::default(),
            timing.clone(),
        )
        .await
        .unwrap_or_else(|| View::build(empty(), &options));
        let (tx, latest) = watch::channel(Arc::new(first));
        let views = Views {
            latest,
            store: store.clone(),
            recorder,
            options: options.clone(),
            past: Arc::default(),
            timing: timing.clone(),
        };
        tokio::spawn(async move {
            let mut next = Instant::now();
            while changes.changed().await.is_ok() {
                // Coalesce: whatever else changes meanwhile goes into it.
                tokio::time::sleep_until(next.into()).await;
                changes.mark_unchanged();
                let started = Instant::now();
                let previous = tx.borrow().dumps.clone();
                if let Some(view) =
                    build(store.contents(), options.clone(), previous, timing.clone()).await
                {
                    let old = tx.send_replace(Arc::new(view));
                    // Freeing a view can free the last snapshots it held
                    // (hundreds of MB in small allocations): not on an
                    // async worker.
                    tokio::task::spawn_blocking(move || drop(old));
                }
                let ended = Instant::now();
                next = (started + MIN_PAUSE).max(ended + (ended - started));
            }
        });
        views
    }

    /// `/api/status`: what the server holds and how it keeps up.
    pub(crate) fn status(&self) -> Status {
        let view = self.current();
        let (held, counters) = self.store.usage();
        let timing = *self
            .timing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let live = view.processes.iter().filter(|p| !p.stale).count();
        Status {
            seq: view.seq,
            processes: view.processes.len(),
            live,
            stale: view.processes.len() - live,
            dumps: view.dumps.len(),
            snapshots_received: counters.snapshots,
            bytes_received: counters.bytes,
            forgotten: counters.forgotten,
            refused: counters.refused,
            analysis: AnalysisStatus {
                count: timing.count,
                last_ms: ms(timing.last),
                mean_ms: if timing.count == 0 {
                    0.0
                } else {
                    ms(timing.total) / timing.count as f64
                },
                max_ms: ms(timing.max),
                nodes: timing.nodes,
            },
            memory: MemoryStatus {
                max_bytes: self.store.budget().max_bytes(),
                held_bytes: held,
                recording_bytes: self.recorder.bytes(),
                rss_bytes: super::memory::rss_bytes(),
            },
        }
    }

    /// The recording the views come from.
    pub(crate) fn recorder(&self) -> &Arc<Recorder> {
        &self.recorder
    }

    /// The view as it was at `at_ms` (ms since the Unix epoch): each
    /// process's latest recorded snapshot captured by then, merged and
    /// analysed like the live view (its `seq` is the live one's).
    pub(crate) async fn at(&self, at_ms: u64) -> Arc<View> {
        let chosen = self.recorder.at(at_ms);
        let key: Vec<(String, u64)> = chosen
            .iter()
            .map(|r| (r.key.clone(), r.captured_at_ms))
            .collect();
        {
            let past = self
                .past
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((k, v)) = &*past
                && *k == key
            {
                return v.clone();
            }
        }
        let seq = self.current().seq;
        let options = self.options.clone();
        // Parsing and analysing are CPU work: on the blocking pool.
        let built = tokio::task::spawn_blocking(move || {
            let processes = chosen
                .into_iter()
                .filter_map(|r| {
                    let snapshot = Snapshot::from_slice(&r.raw).ok()?;
                    let entry = Entry {
                        snapshot: Arc::new(snapshot),
                        raw: r.raw,
                        source: r.source,
                        live: 0,
                        last_seen_ms: r.captured_at_ms,
                    };
                    Some((r.key, entry))
                })
                .collect();
            View::build(
                Contents {
                    seq,
                    processes,
                    dumps: Vec::new(),
                },
                &options,
            )
        })
        .await;
        let view = match built {
            Ok(v) => Arc::new(v),
            Err(e) => {
                eprintln!(
                    "peeps: analysis of the recording at {at_ms} failed ({e}); serving the latest view"
                );
                return self.current();
            }
        };
        *self
            .past
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((key, view.clone()));
        view
    }

    /// The view of the dump of process `key`, as of the latest view.
    pub(crate) fn dump(&self, key: &str) -> Option<Arc<View>> {
        self.current().dump(key)
    }

    /// The latest view.
    pub(crate) fn current(&self) -> Arc<View> {
        self.latest.borrow().clone()
    }

    /// A receiver that sees each new view.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Arc<View>> {
        self.latest.clone()
    }
}

fn empty() -> Contents {
    Contents {
        seq: 0,
        processes: Vec::new(),
        dumps: Vec::new(),
    }
}

/// Builds a view on the blocking pool, with its dumps (reusing the views
/// of `previous` dumps), and counts the time it took. An internal error (a
/// panic in the analysis) is said on stderr and the previous view stays.
async fn build(
    contents: Contents,
    options: Options,
    previous: Arc<Dumps>,
    timing: Arc<Mutex<Timing>>,
) -> Option<View> {
    let seq = contents.seq;
    let built = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut contents = contents;
        let dumps = std::mem::take(&mut contents.dumps);
        let view = View::build(contents, &options);
        timing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .add(started.elapsed(), view.node_count());
        view.with_dumps(&dumps, &previous, &options)
    })
    .await;
    match built {
        Ok(view) => Some(view),
        Err(e) => {
            eprintln!("peeps: analysis of change {seq} failed ({e}); serving the previous one");
            None
        }
    }
}
