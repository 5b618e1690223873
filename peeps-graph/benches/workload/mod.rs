//! A generated busy program: many healthy tasks in the shapes a real
//! service has, and a known number of deadlocks. Used by the analysis
//! bench (1,000,000 nodes) and, scaled down, by `tests/scale.rs`.
//!
//! Per process, repeated "units" of healthy work (10 nodes each):
//!
//! - a consumer task with two nested futures receiving from a channel whose
//!   sender a running producer holds, while holding a mutex another task
//!   waits on, and sleeping in a `select!` (an unaccounted waker clone);
//! - a task waiting for a permit of a semaphore the producer holds;
//! - an idle task with no instrumented wait (a timer);
//! - a future of the producer, polling briefly.
//!
//! plus one mutex with many waiters held by a running task (fan-in), and
//! every `deadlock_every` units a deadlock: two tasks in a lock-order
//! inversion, with a third task stuck behind it.

#![allow(dead_code, unreachable_pub)] // each user takes a part

use peeps_graph::{Attrs, Edge, EdgeKind, Node, NodeKind, Process, SCHEMA, Snapshot};
use serde_json::Value;

/// What was generated.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Nodes over all snapshots.
    pub nodes: usize,
    /// Deadlocks planted.
    pub deadlocks: usize,
    /// Tasks planted behind a deadlock.
    pub behind: usize,
}

struct Gen {
    snap: Snapshot,
    next: u64,
    /// Age given to new edges: healthy waits are short, deadlocks old.
    edge_age: u64,
}

/// Age of healthy edges: past the settle time (so the fixed point does all
/// its work), below the long-wait threshold (a healthy program has none).
const HEALTHY_EDGE_MS: u64 = 800;
/// Age of a planted deadlock's edges.
const DEADLOCK_EDGE_MS: u64 = 20_000;

impl Gen {
    fn node(
        &mut self,
        kind: NodeKind,
        name: &str,
        state: Option<&str>,
        attrs: &[(&str, Value)],
    ) -> u64 {
        let id = self.next;
        self.next += 1;
        let mut attrs: Attrs = attrs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        // Healthy polls are short.
        let polling = state == Some("polling");
        if polling {
            attrs.insert("polling_since_ms".to_owned(), 2.into());
        }
        self.snap.nodes.push(Node {
            id,
            kind,
            name: name.to_owned(),
            location: Some("src/service.rs:42:9".to_owned()),
            state: state.map(str::to_owned),
            since_ms: Some(if polling { 2 } else { 30_000 }),
            attrs,
        });
        id
    }

    fn task(&mut self, name: &str, state: &str, clones: u64, accounted: u64) -> u64 {
        self.node(
            NodeKind::Task,
            name,
            Some(state),
            &[
                ("tracked", true.into()),
                ("woken", false.into()),
                ("polls", 12.into()),
                ("poll_ns_total", 80_000.into()),
                ("poll_ns_max", 9_000.into()),
                ("waker_clones", clones.into()),
                ("waker_clones_accounted", accounted.into()),
            ],
        )
    }

    fn future(&mut self, parent: u64, name: &str, state: &str) -> u64 {
        let id = self.node(
            NodeKind::Future,
            name,
            Some(state),
            &[("polls", 12.into()), ("poll_ns_total", 60_000.into())],
        );
        self.edge(parent, id, EdgeKind::Needs, &[]);
        id
    }

    fn resource(&mut self, kind: NodeKind, name: &str, attrs: &[(&str, Value)]) -> u64 {
        self.node(kind, name, None, attrs)
    }

    fn edge(&mut self, from: u64, to: u64, kind: EdgeKind, attrs: &[(&str, Value)]) {
        self.snap.edges.push(Edge {
            from,
            to,
            kind,
            since_ms: Some(self.edge_age),
            attrs: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        });
    }

    fn healthy_unit(&mut self, i: usize) {
        let producer = self.task("producer", "polling", 1, 0);
        let consumer = self.task("consumer", "pending", 2, 1);
        self.edge(producer, consumer, EdgeKind::Spawned, &[]);
        let outer = self.future(consumer, "handle", "pending");
        let inner = self.future(outer, "next_job", "pending");
        let jobs = self.resource(
            NodeKind::Channel,
            "jobs",
            &[
                ("flavor", "mpsc".into()),
                ("capacity", 64.into()),
                ("len", 0.into()),
                ("senders", 1.into()),
                ("receivers", 1.into()),
            ],
        );
        self.edge(inner, jobs, EdgeKind::WaitsOn, &[("op", "recv".into())]);
        self.edge(jobs, producer, EdgeKind::HeldBy, &[("as", "sender".into())]);
        self.edge(
            jobs,
            consumer,
            EdgeKind::HeldBy,
            &[("as", "receiver".into())],
        );
        let state = self.resource(NodeKind::Mutex, "state", &[("holders", 1.into())]);
        self.edge(state, consumer, EdgeKind::HeldBy, &[("as", "guard".into())]);
        let waiter = self.task("reader", "pending", 1, 1);
        self.edge(waiter, state, EdgeKind::WaitsOn, &[("op", "lock".into())]);
        let pool = self.resource(NodeKind::Semaphore, "pool", &[("permits", 4.into())]);
        self.edge(pool, producer, EdgeKind::HeldBy, &[("as", "permit".into())]);
        let idle = self.task(
            if i.is_multiple_of(2) {
                "ticker"
            } else {
                "idle"
            },
            "pending",
            1,
            0,
        );
        self.edge(idle, pool, EdgeKind::WaitsOn, &[("op", "acquire".into())]);
        self.future(producer, "produce", "polling");
    }

    fn deadlock(&mut self) {
        self.edge_age = DEADLOCK_EDGE_MS;
        let a = self.task("transfer-a", "pending", 1, 1);
        let b = self.task("transfer-b", "pending", 1, 1);
        let fa = self.future(a, "transfer", "pending");
        let m1 = self.resource(NodeKind::Mutex, "acct-1", &[("holders", 1.into())]);
        let m2 = self.resource(NodeKind::Mutex, "acct-2", &[("holders", 1.into())]);
        self.edge(m1, a, EdgeKind::HeldBy, &[("as", "guard".into())]);
        self.edge(m2, b, EdgeKind::HeldBy, &[("as", "guard".into())]);
        self.edge(fa, m2, EdgeKind::WaitsOn, &[("op", "lock".into())]);
        self.edge(b, m1, EdgeKind::WaitsOn, &[("op", "lock".into())]);
        let c = self.task("auditor", "pending", 1, 1);
        self.edge(c, m1, EdgeKind::WaitsOn, &[("op", "lock".into())]);
        self.edge_age = HEALTHY_EDGE_MS;
    }
}

/// Generates `processes` snapshots of about `nodes_per_process` nodes each,
/// with a deadlock every `deadlock_every` healthy units.
pub fn generate(
    processes: usize,
    nodes_per_process: usize,
    deadlock_every: usize,
) -> (Vec<Snapshot>, Shape) {
    let mut snaps = Vec::with_capacity(processes);
    let mut shape = Shape {
        nodes: 0,
        deadlocks: 0,
        behind: 0,
    };
    for p in 0..processes {
        let mut g = Gen {
            snap: Snapshot {
                schema: SCHEMA.to_owned(),
                process: Process {
                    name: format!("svc-{p}"),
                    pid: 1000 + p as u32,
                    key: format!("{}-1763790000000000000", 1000 + p),
                    started_at_ms: 1_763_790_000_000,
                    host: None,
                },
                captured_at_ms: 1_763_790_060_000,
                nodes: Vec::with_capacity(nodes_per_process + 16),
                edges: Vec::with_capacity(nodes_per_process * 11 / 10),
                threads: Vec::new(),
                lock_order: None,
                history: None,
                tasks: None,
            },
            next: 1,
            edge_age: HEALTHY_EDGE_MS,
        };
        // Fan-in: one mutex with many waiters, held by a running task.
        let hot_holder = g.task("hot-holder", "polling", 1, 0);
        let hot = g.resource(NodeKind::Mutex, "hot", &[("holders", 1.into())]);
        g.edge(hot, hot_holder, EdgeKind::HeldBy, &[("as", "guard".into())]);
        let mut unit = 0;
        while g.snap.nodes.len() + 16 < nodes_per_process {
            g.healthy_unit(unit);
            if unit.is_multiple_of(10) {
                let w = g.task("hot-waiter", "pending", 1, 1);
                g.edge(w, hot, EdgeKind::WaitsOn, &[("op", "lock".into())]);
            }
            unit += 1;
            if unit % deadlock_every == 0 {
                g.deadlock();
                shape.deadlocks += 1;
                shape.behind += 1;
            }
        }
        shape.nodes += g.snap.nodes.len();
        snaps.push(g.snap);
    }
    (snaps, shape)
}
