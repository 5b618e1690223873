//! Hand-built snapshots for analysis tests, and expectations on reports.
//!
//! [`Dump`] builds one process's snapshot node by node with the attributes
//! peeps-runtime writes: a task is tracked, pending, not woken, polled, with
//! one waker clone accounted for by default; every edge is 5 s old. Tests
//! then change only what their case is about.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use peeps_graph::analysis::{Deadlock, Options, Report};
use peeps_graph::{Attrs, Edge, EdgeKind, Node, NodeId, NodeKind, Process, SCHEMA, Snapshot};
use serde_json::Value;

/// Default age of nodes and edges: well past any settle time.
pub const OLD_MS: u64 = 5_000;

/// A snapshot under construction.
#[derive(Debug, Clone)]
pub struct Dump {
    snap: Snapshot,
    next: NodeId,
}

impl Dump {
    /// An empty process named `name` (key `<name>-key`).
    pub fn new(name: &str) -> Dump {
        Dump {
            snap: Snapshot {
                schema: SCHEMA.to_owned(),
                process: Process {
                    name: name.to_owned(),
                    pid: 100 + name.len() as u32,
                    key: format!("{name}-key"),
                    started_at_ms: 1_000,
                    host: None,
                },
                captured_at_ms: 100_000,
                nodes: Vec::new(),
                edges: Vec::new(),
                threads: Vec::new(),
                lock_order: None,
                history: None,
                tasks: None,
            },
            next: 1,
        }
    }

    /// The process key.
    pub fn key(&self) -> String {
        self.snap.process.key.clone()
    }

    fn add(&mut self, kind: NodeKind, name: &str) -> NodeId {
        let id = self.next;
        self.next += 1;
        self.snap.nodes.push(Node {
            id,
            kind,
            name: name.to_owned(),
            location: Some(format!("src/{name}.rs:{id}:5")),
            state: None,
            since_ms: None,
            attrs: Attrs::new(),
        });
        id
    }

    /// A task spawned through peeps, pending on one accounted waker clone.
    pub fn task(&mut self, name: &str) -> NodeId {
        let id = self.add(NodeKind::Task, name);
        self.node(id)
            .state("pending", OLD_MS)
            .attr("tracked", true)
            .attr("woken", false)
            .attr("polls", 3)
            .attr("waker_clones", 1)
            .attr("waker_clones_accounted", 1);
        id
    }

    /// A plain tokio task seen from inside (`tracked: false`), pending.
    pub fn plain_task(&mut self, name: &str) -> NodeId {
        let id = self.add(NodeKind::Task, name);
        self.node(id)
            .state("pending", OLD_MS)
            .attr("tracked", false)
            .attr("polls", 3)
            .attr("tokio_task_id", id);
        id
    }

    /// A `block_on` root thread, pending.
    pub fn thread(&mut self, name: &str) -> NodeId {
        let id = self.add(NodeKind::Thread, name);
        self.node(id)
            .state("pending", OLD_MS)
            .attr("tracked", false)
            .attr("polls", 3);
        id
    }

    /// A future awaited by `parent` (a `needs` edge), pending.
    pub fn future(&mut self, parent: NodeId, name: &str) -> NodeId {
        let id = self.add(NodeKind::Future, name);
        self.node(id).state("pending", OLD_MS).attr("polls", 3);
        self.edge(parent, id, EdgeKind::Needs);
        id
    }

    /// A resource of `kind` named `name`.
    pub fn resource(&mut self, kind: NodeKind, name: &str) -> NodeId {
        let id = self.add(kind, name);
        self.node(id).attr("holders", 0).attr("waiters", 0);
        id
    }

    /// An async mutex.
    pub fn mutex(&mut self, name: &str) -> NodeId {
        self.resource(NodeKind::Mutex, name)
    }

    /// A blocking (parking_lot) mutex.
    pub fn blocking_mutex(&mut self, name: &str) -> NodeId {
        let id = self.resource(NodeKind::Mutex, name);
        self.node(id).attr("blocking", true);
        id
    }

    /// A channel of `flavor` with counts of live endpoints.
    pub fn channel(&mut self, name: &str, flavor: &str, senders: u64, receivers: u64) -> NodeId {
        let id = self.resource(NodeKind::Channel, name);
        self.node(id)
            .attr("flavor", flavor)
            .attr("senders", senders)
            .attr("receivers", receivers)
            .attr("len", 0)
            .attr("closed", false);
        id
    }

    /// An outgoing RPC call.
    pub fn request(&mut self, name: &str, call_id: &str) -> NodeId {
        let id = self.add(NodeKind::Request, name);
        self.node(id)
            .attr("method", name)
            .attr("call_id", call_id)
            .age(OLD_MS);
        id
    }

    /// An incoming RPC call being handled, held by task `by`.
    pub fn handler(&mut self, name: &str, caller_call_id: &str, by: NodeId) -> NodeId {
        let id = self.add(NodeKind::Handler, name);
        self.node(id)
            .attr("method", name)
            .attr("caller_call_id", caller_call_id)
            .age(OLD_MS);
        self.edge(id, by, EdgeKind::HeldBy);
        id
    }

    /// `waiter` waits on `on` for `op`.
    pub fn wait(&mut self, waiter: NodeId, on: NodeId, op: &str) -> &mut Edge {
        self.edge(waiter, on, EdgeKind::WaitsOn).attr("op", op)
    }

    /// `resource` is held by `holder` as `how` (`guard`, `sender`, ...).
    pub fn hold(&mut self, resource: NodeId, holder: NodeId, how: &str) -> &mut Edge {
        self.edge(resource, holder, EdgeKind::HeldBy)
            .attr("as", how)
    }

    /// Any edge, `OLD_MS` old.
    pub fn edge(&mut self, from: NodeId, to: NodeId, kind: EdgeKind) -> &mut Edge {
        self.snap.edges.push(Edge {
            from,
            to,
            kind,
            since_ms: Some(OLD_MS),
            attrs: Attrs::new(),
        });
        self.snap.edges.last_mut().expect("just pushed")
    }

    /// The node `id`, to adjust.
    #[track_caller]
    pub fn node(&mut self, id: NodeId) -> &mut Node {
        self.snap
            .nodes
            .iter_mut()
            .find(|n| n.id == id)
            .expect("a node of this dump")
    }

    /// Adds a runtime thread polling `node`.
    pub fn os_thread(&mut self, tid: u64, polling: NodeId, stack: &[&str]) {
        self.snap.threads.push(peeps_graph::ThreadInfo {
            tid,
            name: "tokio-runtime-worker".to_owned(),
            polling: Some(polling),
            polling_since_ms: None,
            stack: stack.iter().map(|s| (*s).to_owned()).collect(),
            attrs: Attrs::new(),
        });
    }

    /// Sets the census: `alive` tasks, `unseen` of them peeps cannot see
    /// into, `threads` OS threads, `unseen_threads` of them unseen (none
    /// overcounted, every driver thread with a root).
    pub fn census(&mut self, alive: u64, unseen: u64, threads: u64, unseen_threads: u64) {
        self.snap.tasks = Some(peeps_graph::TaskCensus {
            alive,
            unseen,
            threads,
            unseen_threads,
            overcounted_threads: Some(0),
            rootless_drivers: Some(0),
        });
    }

    /// The census, to adjust.
    pub fn census_mut(&mut self) -> &mut peeps_graph::TaskCensus {
        self.snap.tasks.get_or_insert_default()
    }

    /// Leaves the census out (an older writer's dump).
    pub fn no_census(&mut self) {
        self.snap.tasks = None;
    }

    /// The process's OS id (a `block_on` root with it as `os_thread` runs
    /// on the main thread).
    pub fn pid(&self) -> u64 {
        u64::from(self.snap.process.pid)
    }

    /// The snapshot, checked to round-trip through JSON as a reader would.
    pub fn build(&self) -> Snapshot {
        let json = self.snap.to_json();
        Snapshot::from_json(&json).expect("a builder snapshot reads back")
    }

    /// The snapshot without the JSON round trip (for malformed cases).
    pub fn raw(&self) -> Snapshot {
        self.snap.clone()
    }
}

/// Small setters on nodes.
pub trait NodeExt {
    /// Sets an attribute.
    fn attr(&mut self, key: &str, value: impl Into<Value>) -> &mut Self;
    /// Sets the state and how long the node has been in it.
    fn state(&mut self, state: &str, age_ms: u64) -> &mut Self;
    /// Sets how long the node has been in its state.
    fn age(&mut self, ms: u64) -> &mut Self;
}

impl NodeExt for Node {
    fn attr(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.attrs.insert(key.to_owned(), value.into());
        self
    }
    fn state(&mut self, state: &str, age_ms: u64) -> &mut Self {
        self.state = Some(state.to_owned());
        self.since_ms = Some(age_ms);
        self
    }
    fn age(&mut self, ms: u64) -> &mut Self {
        self.since_ms = Some(ms);
        self
    }
}

/// Small setters on edges.
pub trait EdgeExt {
    /// Sets an attribute.
    fn attr(&mut self, key: &str, value: impl Into<Value>) -> &mut Self;
    /// Sets the edge's age.
    fn age(&mut self, ms: u64) -> &mut Self;
    /// Marks the attribution unconfirmed.
    fn unconfirmed(&mut self) -> &mut Self;
    /// Sets what peeps saw of the hold (`made`, `spawned`, `in_message`, ...),
    /// as peeps-runtime writes it (`confirmed: false` for `made`, `shared`).
    fn evidence(&mut self, word: &str) -> &mut Self;
    /// Marks the hold found in its holder's own state.
    fn in_state(&mut self) -> &mut Self;
}

impl EdgeExt for Edge {
    fn attr(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.attrs.insert(key.to_owned(), value.into());
        self
    }
    fn age(&mut self, ms: u64) -> &mut Self {
        self.since_ms = Some(ms);
        self
    }
    fn unconfirmed(&mut self) -> &mut Self {
        self.attr("confirmed", false)
    }
    fn evidence(&mut self, word: &str) -> &mut Self {
        if matches!(word, "made" | "shared") {
            self.unconfirmed();
        }
        self.attr("evidence", word)
    }
    fn in_state(&mut self) -> &mut Self {
        self.attrs.remove("confirmed");
        self.attr("in_state", true)
    }
}

/// Analyses with the default options.
pub fn analyze(snaps: &[Snapshot]) -> Report {
    peeps_graph::analyze(snaps, &Options::default())
}

/// The task names of a deadlock, sorted.
pub fn task_names(d: &Deadlock) -> Vec<String> {
    let mut names: Vec<String> = d.tasks.iter().map(|t| t.name.clone()).collect();
    names.sort();
    names
}

/// Asserts the report's deadlocks have exactly these task sets (any order).
#[track_caller]
pub fn assert_deadlocks(report: &Report, expected: &[&[&str]]) {
    let mut got: Vec<Vec<String>> = report.deadlocks.iter().map(task_names).collect();
    got.sort();
    let mut want: Vec<Vec<String>> = expected
        .iter()
        .map(|set| {
            let mut v: Vec<String> = set.iter().map(|s| (*s).to_owned()).collect();
            v.sort();
            v
        })
        .collect();
    want.sort();
    assert_eq!(got, want, "deadlocks differ; report:\n{}", report.text());
}

/// Asserts there is no deadlock at all.
#[track_caller]
pub fn assert_no_deadlock(report: &Report) {
    assert_deadlocks(report, &[]);
}

/// The one deadlock of a report.
#[track_caller]
pub fn only_deadlock(report: &Report) -> &Deadlock {
    assert_eq!(
        report.deadlocks.len(),
        1,
        "expected one deadlock; report:\n{}",
        report.text()
    );
    &report.deadlocks[0]
}
