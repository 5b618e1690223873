//! Expectation builders for graph tests: find nodes by name, assert that an
//! edge with given attributes exists or not, and poll for a state with a
//! bounded loop (never a fixed sleep).
//!
//! Every integration test names its tasks and resources uniquely (the tests
//! of one binary share one registry), then writes for instance:
//!
//! ```ignore
//! let g = eventually(|g| waits_on("t-b", "m").op("lock").check(g)).await;
//! held_by("m", "t-a").as_("guard").assert_in(&g);
//! ```
#![allow(dead_code, unreachable_pub)]

use peeps_graph::{Edge, EdgeKind, Node, NodeKind, Snapshot};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How long [`eventually`] polls before failing.
pub const PATIENCE: Duration = Duration::from_secs(30);
/// How often it polls.
pub const EVERY: Duration = Duration::from_millis(10);

/// A snapshot with lookups by node name.
#[derive(Debug, Clone)]
pub struct Graph {
    pub snap: Snapshot,
}

impl Graph {
    /// Takes a snapshot of this process now.
    pub fn take() -> Graph {
        Graph {
            snap: peeps_runtime::snapshot(),
        }
    }

    /// The node named `name`: `Err` when there is none or several.
    pub fn find(&self, name: &str) -> Result<&Node, String> {
        let mut it = self.snap.nodes.iter().filter(|n| n.name == name);
        match (it.next(), it.next()) {
            (Some(n), None) => Ok(n),
            (None, _) => Err(format!("no node named {name:?}")),
            (Some(_), Some(_)) => Err(format!("several nodes named {name:?}")),
        }
    }

    /// The node named `name`; panics at the caller when missing.
    #[track_caller]
    pub fn node(&self, name: &str) -> &Node {
        self.find(name)
            .unwrap_or_else(|e| panic!("{e}\n{}", self.dump()))
    }

    /// Every edge of `kind` from `from` to `to`.
    pub fn edges(&self, kind: EdgeKind, from: &Node, to: &Node) -> Vec<&Edge> {
        self.snap
            .edges
            .iter()
            .filter(|e| e.kind == kind && e.from == from.id && e.to == to.id)
            .collect()
    }

    /// The snapshot as pretty JSON, for failure messages.
    pub fn dump(&self) -> String {
        serde_json::to_string_pretty(&self.snap).unwrap_or_default()
    }

    /// An attribute of the node named `name`.
    #[track_caller]
    pub fn attr(&self, name: &str, key: &str) -> Value {
        self.node(name)
            .attrs
            .get(key)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// The `held_by` edges from the node named `from` with `as: how` (a
/// channel's endpoints, a lock's read guards).
#[track_caller]
pub fn endpoint_edges<'g>(g: &'g Graph, from: &str, how: &str) -> Vec<&'g Edge> {
    let id = g.node(from).id;
    g.snap
        .edges
        .iter()
        .filter(|e| {
            e.kind == EdgeKind::HeldBy
                && e.from == id
                && e.attrs.get("as") == Some(&Value::from(how))
        })
        .collect()
}

/// An expected edge, by the names of its ends, with expected attributes.
#[derive(Debug, Clone)]
pub struct EdgeExpect {
    kind: EdgeKind,
    from: String,
    to: String,
    attrs: Vec<(String, Value)>,
    target_kind: Option<NodeKind>,
    /// `file:line:` the edge's attr `at` must start with.
    at: Option<String>,
}

/// Expects a `waits_on` edge from the node named `from` to the one named `to`.
pub fn waits_on(from: &str, to: &str) -> EdgeExpect {
    EdgeExpect {
        kind: EdgeKind::WaitsOn,
        from: from.into(),
        to: to.into(),
        attrs: vec![],
        target_kind: None,
        at: None,
    }
}

/// Expects a `held_by` edge from the resource named `from` to the node
/// named `to`.
pub fn held_by(from: &str, to: &str) -> EdgeExpect {
    EdgeExpect {
        kind: EdgeKind::HeldBy,
        from: from.into(),
        to: to.into(),
        attrs: vec![],
        target_kind: None,
        at: None,
    }
}

/// `Ok` when `edge` was made by a call at `line` of `file`: its attr `at`
/// is `file:line:column`.
pub fn check_at(edge: &Edge, file: &str, line: u32) -> Result<(), String> {
    let want = format!("{file}:{line}:");
    match edge.attrs.get("at").and_then(Value::as_str) {
        Some(at) if at.starts_with(&want) && at[want.len()..].parse::<u32>().is_ok() => Ok(()),
        got => Err(format!(
            "edge {edge:?}: at is {got:?}, expected {want}<column>"
        )),
    }
}

/// Asserts [`check_at`].
#[track_caller]
pub fn assert_at(edge: &Edge, file: &str, line: u32) {
    if let Err(e) = check_at(edge, file, line) {
        panic!("{e}");
    }
}

impl EdgeExpect {
    /// With attribute `op`.
    pub fn op(self, op: &str) -> Self {
        self.attr("op", op)
    }

    /// With attribute `as`.
    pub fn as_(self, how: &str) -> Self {
        self.attr("as", how)
    }

    /// With attribute `confirmed` (absent in the snapshot means `true`).
    pub fn confirmed(self, confirmed: bool) -> Self {
        self.attr("confirmed", confirmed)
    }

    /// With attribute `key` equal to `value`.
    pub fn attr(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.attrs.push((key.into(), value.into()));
        self
    }

    /// Made by the call at `line` of `file` (attr `at`: `file:line:col`).
    pub fn at(mut self, file: &str, line: u32) -> Self {
        self.at = Some(format!("{file}:{line}"));
        self
    }

    /// Whose target is of kind `kind`.
    pub fn target_kind(mut self, kind: NodeKind) -> Self {
        self.target_kind = Some(kind);
        self
    }

    fn describe(&self) -> String {
        format!(
            "{} {:?} -> {:?} {:?}{}",
            self.kind,
            self.from,
            self.to,
            self.attrs,
            self.at
                .as_deref()
                .map(|at| format!(" at {at}"))
                .unwrap_or_default()
        )
    }

    /// `Ok` when exactly one such edge exists with every expected attribute.
    pub fn check(&self, g: &Graph) -> Result<(), String> {
        let from = g.find(&self.from)?;
        let to = g.find(&self.to)?;
        if let Some(k) = self.target_kind
            && to.kind != k
        {
            return Err(format!("{:?} is a {}, not a {k}", self.to, to.kind));
        }
        let edges = g.edges(self.kind, from, to);
        let [edge] = edges.as_slice() else {
            return Err(format!(
                "expected one edge {}, found {}",
                self.describe(),
                edges.len()
            ));
        };
        for (key, want) in &self.attrs {
            let got = match edge.attrs.get(key) {
                Some(v) => v.clone(),
                // The schema leaves out `confirmed: true`.
                None if key == "confirmed" => Value::Bool(true),
                None => Value::Null,
            };
            if &got != want {
                return Err(format!(
                    "edge {}: attr {key} is {got}, expected {want}",
                    self.describe()
                ));
            }
        }
        if let Some(at) = &self.at {
            let (file, line) = at.rsplit_once(':').expect("made by `at`");
            let line = line.parse().expect("made by `at`");
            check_at(edge, file, line).map_err(|e| format!("edge {}: {e}", self.describe()))?;
        }
        Ok(())
    }

    /// `Ok` when no edge of this kind joins the two names (or either node is
    /// gone).
    pub fn check_absent(&self, g: &Graph) -> Result<(), String> {
        let (Ok(from), Ok(to)) = (g.find(&self.from), g.find(&self.to)) else {
            return Ok(());
        };
        match g.edges(self.kind, from, to).len() {
            0 => Ok(()),
            n => Err(format!("expected no edge {}, found {n}", self.describe())),
        }
    }

    /// Asserts the edge is in `g`.
    #[track_caller]
    pub fn assert_in(&self, g: &Graph) {
        if let Err(e) = self.check(g) {
            panic!("{e}\n{}", g.dump());
        }
    }

    /// Asserts the edge is not in `g`.
    #[track_caller]
    pub fn assert_absent(&self, g: &Graph) {
        if let Err(e) = self.check_absent(g) {
            panic!("{e}\n{}", g.dump());
        }
    }
}

/// Snapshots every [`EVERY`] until `check` passes, for at most
/// [`PATIENCE`]; returns the passing graph, panics at the caller with the
/// last failure and the graph otherwise.
#[track_caller]
pub fn eventually(
    check: impl FnMut(&Graph) -> Result<(), String>,
) -> impl std::future::Future<Output = Graph> {
    let caller = std::panic::Location::caller();
    eventually_at(caller, check)
}

async fn eventually_at(
    caller: &'static std::panic::Location<'static>,
    mut check: impl FnMut(&Graph) -> Result<(), String>,
) -> Graph {
    let start = Instant::now();
    loop {
        let g = Graph::take();
        match check(&g) {
            Ok(()) => return g,
            Err(e) if start.elapsed() > PATIENCE => panic!(
                "{caller}: still failing after {PATIENCE:?}: {e}\n{}",
                g.dump()
            ),
            Err(_) => tokio::time::sleep(EVERY).await,
        }
    }
}

/// Polls `cond` every [`EVERY`] for at most [`PATIENCE`] (for behaviour
/// tests: wait until a task reached a state, without timing assumptions).
#[track_caller]
pub fn until(
    what: &'static str,
    cond: impl FnMut() -> bool,
) -> impl std::future::Future<Output = ()> {
    let caller = std::panic::Location::caller();
    async move {
        let mut cond = cond;
        let start = Instant::now();
        while !cond() {
            assert!(
                start.elapsed() < PATIENCE,
                "{caller}: {what} not reached after {PATIENCE:?}"
            );
            tokio::time::sleep(EVERY).await;
        }
    }
}

/// Runs both checks; `Ok` only when both pass.
pub fn all(checks: &[Result<(), String>]) -> Result<(), String> {
    checks
        .iter()
        .cloned()
        .collect::<Result<Vec<()>, String>>()
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    //! The helpers, tested on a hand-made snapshot.
    use super::*;

    fn graph() -> Graph {
        let json = r#"{"schema":"peeps/1",
          "process":{"name":"t","pid":1,"key":"1-0","started_at_ms":0},
          "captured_at_ms":0,
          "nodes":[{"id":1,"kind":"task","name":"a"},{"id":2,"kind":"mutex","name":"m"},
                   {"id":3,"kind":"task","name":"b"},{"id":4,"kind":"task","name":"b"}],
          "edges":[{"from":1,"to":2,"kind":"waits_on","attrs":{"op":"lock","at":"src/x.rs:12:9"}},
                   {"from":2,"to":1,"kind":"held_by","attrs":{"as":"guard","confirmed":false}}]}"#;
        Graph {
            snap: Snapshot::from_json(json).unwrap(),
        }
    }

    #[test]
    fn finds_edges_and_attrs() {
        let g = graph();
        waits_on("a", "m")
            .op("lock")
            .target_kind(NodeKind::Mutex)
            .assert_in(&g);
        held_by("m", "a")
            .as_("guard")
            .confirmed(false)
            .assert_in(&g);
        assert!(waits_on("a", "m").op("read").check(&g).is_err());
        assert!(held_by("m", "a").confirmed(true).check(&g).is_err());
        assert!(
            waits_on("a", "m")
                .target_kind(NodeKind::Task)
                .check(&g)
                .is_err()
        );
        held_by("m", "nobody").assert_absent(&g);
        waits_on("a", "m").at("src/x.rs", 12).assert_in(&g);
        assert!(waits_on("a", "m").at("src/x.rs", 1).check(&g).is_err());
        assert!(waits_on("a", "m").at("src/y.rs", 12).check(&g).is_err());
        assert!(
            held_by("m", "a").at("src/x.rs", 12).check(&g).is_err(),
            "no at"
        );
        assert_eq!(endpoint_edges(&g, "m", "guard").len(), 1);
        assert_eq!(endpoint_edges(&g, "m", "permit").len(), 0);
        assert!(waits_on("a", "m").check_absent(&g).is_err());
    }

    #[test]
    fn rejects_ambiguous_and_missing_names() {
        let g = graph();
        assert!(g.find("b").unwrap_err().contains("several"));
        assert!(g.find("zz").unwrap_err().contains("no node"));
        assert!(all(&[Ok(()), Err("x".into())]).is_err());
        assert!(all(&[Ok(()), Ok(())]).is_ok());
    }
}
