//! Synthetic but realistic snapshots of a busy service, for the scale test
//! (`tests/serve_scale.rs`) and the load tool (`examples/load.rs`, which
//! includes this file by path): request tasks awaiting futures, holding
//! mutexes, channels and semaphores; most of them pending on something
//! external (a socket, a timer), one in ten waiting on the next one's
//! mutex, and one two-task lock-order deadlock per 400 nodes.

use serde_json::{Value, json};

/// Nodes per request group: a task, three futures, a mutex, a channel, a
/// semaphore and a notify.
const GROUP: usize = 8;

/// One process's snapshot as JSON, ready to send, whose capture time can be
/// restamped in place (a fixed-width number).
#[derive(Debug, Clone)]
pub struct Synthetic {
    /// The process key.
    pub key: String,
    /// The process, as the hello names it.
    pub process: Value,
    /// The snapshot's JSON.
    pub json: Vec<u8>,
    /// Where the 13 digits of `captured_at_ms` are in `json`.
    at: usize,
}

impl Synthetic {
    /// A process `pid` named `name` with `nodes` nodes (at least one
    /// group's worth), captured at `now_ms`.
    pub fn new(pid: u32, name: &str, nodes: usize, now_ms: u64) -> Synthetic {
        let key = format!("{pid}-{now_ms}000000");
        let process =
            json!({"name": name, "pid": pid, "key": key, "started_at_ms": now_ms - 60_000});
        let groups = (nodes / GROUP).max(1);
        let mut ns = Vec::with_capacity(nodes);
        let mut es = Vec::with_capacity(nodes);
        let id = |g: usize, k: usize| (g * GROUP + k + 1) as u64;
        for g in 0..groups {
            let (task, outer, inner, idle) = (id(g, 0), id(g, 1), id(g, 2), id(g, 3));
            let (mutex, chan, sem, notify) = (id(g, 4), id(g, 5), id(g, 6), id(g, 7));
            // Every 50th group and the next form a lock-order deadlock:
            // each holds its own mutex and waits on the other's.
            let pair = g % 50 < 2 && g + 1 < groups && (g % 50 == 0 || g > 0);
            let partner = if g % 50 == 0 {
                g + 1
            } else {
                g.saturating_sub(1)
            };
            // Others wait on something external (their waker has a clone
            // no instrumented wait accounts for): never deadlocked.
            let accounted = if pair { 1 } else { 0 };
            // Their waits are young (a busy service, not a stalled one).
            let since = if pair { 5000 } else { 200 + g as u64 % 100 };
            ns.push(json!({"id": task, "kind": "task", "name": format!("request-{g}"),
                "location": format!("src/server.rs:{}:9", 40 + g % 30), "state": "pending", "since_ms": since,
                "attrs": {"polls": 12, "poll_ns_total": 90_000, "poll_ns_max": 20_000, "tracked": true, "woken": false,
                          "waker_clones": 1, "waker_clones_accounted": accounted, "tokio_task_id": g + 1}}));
            ns.push(json!({"id": outer, "kind": "future", "name": "handle_request", "location": "src/server.rs:80:1",
                "state": "pending", "since_ms": 5000, "attrs": {"polls": 12, "poll_ns_total": 80_000, "poll_ns_max": 19_000}}));
            ns.push(json!({"id": inner, "kind": "future", "name": "load_account", "location": "src/db.rs:21:1",
                "state": "pending", "since_ms": 5000, "attrs": {"polls": 3, "poll_ns_total": 9_000, "poll_ns_max": 4_000}}));
            ns.push(json!({"id": idle, "kind": "future", "name": "keepalive", "location": "src/conn.rs:12:5",
                "state": "pending", "since_ms": 800, "attrs": {"polls": 40, "poll_ns_total": 40_000, "poll_ns_max": 2_000}}));
            ns.push(json!({"id": mutex, "kind": "mutex", "name": format!("account-{g}"), "location": "src/db.rs:11:15",
                "state": "held", "since_ms": 5010, "attrs": {"holders": 1, "waiters": 1}}));
            ns.push(json!({"id": chan, "kind": "channel", "name": format!("replies-{g}"), "location": "src/server.rs:30:22",
                "state": "open", "since_ms": 9000, "attrs": {"flavor": "mpsc", "capacity": 64, "len": 3, "senders": 1,
                "receivers": 1, "sent": 120, "received": 117, "closed": false}}));
            ns.push(json!({"id": sem, "kind": "semaphore", "name": "db-pool", "location": "src/db.rs:8:20",
                "state": "open", "since_ms": 9000, "attrs": {"permits": 4, "available": 3}}));
            ns.push(json!({"id": notify, "kind": "notify", "name": "shutdown", "location": "src/main.rs:15:9",
                "state": "open", "since_ms": 60_000, "attrs": {}}));
            es.push(json!({"from": task, "to": outer, "kind": "needs", "since_ms": 5000}));
            es.push(json!({"from": outer, "to": inner, "kind": "needs", "since_ms": 5000}));
            es.push(json!({"from": task, "to": idle, "kind": "needs", "since_ms": 800}));
            es.push(json!({"from": mutex, "to": task, "kind": "held_by", "since_ms": 5010, "attrs": {"as": "guard"}}));
            es.push(json!({"from": chan, "to": task, "kind": "held_by", "since_ms": 9000, "attrs": {"as": "receiver"}}));
            es.push(json!({"from": sem, "to": task, "kind": "held_by", "since_ms": 9000, "attrs": {"as": "permit"}}));
            // The wait: on the partner's mutex in a deadlocked pair; for
            // one group in ten, on the next group's mutex (its holder is
            // pending on something external, so this is no deadlock); the
            // others wait on a socket (no edge).
            let waited = if pair {
                Some(id(partner, 4))
            } else if g % 10 == 5 {
                Some(id((g + 1) % groups, 4))
            } else {
                None
            };
            if let Some(waited) = waited {
                es.push(json!({"from": inner, "to": waited, "kind": "waits_on", "since_ms": since, "attrs": {"op": "lock"}}));
            }
        }
        // Fill up to exactly `nodes` with idle notifies.
        for extra in groups * GROUP..nodes {
            ns.push(
                json!({"id": extra as u64 + 1, "kind": "notify", "name": "idle", "state": "open",
                "since_ms": 60_000, "attrs": {}}),
            );
        }
        let snapshot = json!({
            "schema": "peeps/1",
            "process": process,
            "captured_at_ms": now_ms,
            "nodes": ns,
            "edges": es,
            "threads": [{"tid": pid + 1, "name": "tokio-runtime-worker"}],
        });
        let json = serde_json::to_vec(&snapshot).expect("a JSON value always serializes");
        let field = format!("\"captured_at_ms\":{now_ms}");
        let at = find(&json, field.as_bytes()).expect("the field is there") + field.len() - 13;
        Synthetic {
            key,
            process,
            json,
            at,
        }
    }

    /// Sets the capture time (13 digits: ms since the Unix epoch).
    pub fn stamp(&mut self, now_ms: u64) {
        let digits = format!("{now_ms:013}");
        self.json[self.at..self.at + 13].copy_from_slice(&digits.as_bytes()[..13]);
    }

    /// The hello frame's body for this process.
    pub fn hello(&self) -> Vec<u8> {
        let process: peeps_graph::Process =
            serde_json::from_value(self.process.clone()).expect("a valid process");
        peeps_graph::wire::Frame::Hello(peeps_graph::wire::Hello::new(process)).to_json()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
