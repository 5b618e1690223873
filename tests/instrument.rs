//! `#[peeps::instrument]` and `peeps!`: what compiles, what does not, and
//! that each makes a `future` node with the right name and location.
// They check recorded nodes; the ui cases compile either way. Without recording (`--no-default-features`) there is
// nothing to read: see tests/test_attr_off.rs and the facade doctests.
#![cfg(feature = "diagnostics")]

use peeps::graph::{EdgeKind, NodeKind, Snapshot};
use std::future::Future;
use std::time::Duration;

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}

struct Account {
    balance: u64,
}

impl Account {
    #[peeps::instrument]
    async fn peek(&self, park: Park) -> u64 {
        park.wait().await;
        self.balance
    }

    #[peeps::instrument]
    async fn deposit(&mut self, n: u64, park: Park) -> u64 {
        park.wait().await;
        self.balance += n;
        self.balance
    }

    #[peeps::instrument]
    async fn close(self, park: Park) -> u64 {
        park.wait().await;
        self.balance
    }
}

#[peeps::instrument]
async fn generic<T: Clone + Send>(value: T, park: Park) -> T {
    park.wait().await;
    value.clone()
}

#[peeps::instrument(name = "renamed")]
async fn with_name(park: Park) -> Result<u8, std::num::ParseIntError> {
    park.wait().await;
    let n: u8 = "7".parse()?;
    if n > 100 {
        return Ok(0);
    }
    Ok(n)
}

#[peeps::instrument]
fn returns_future(park: Park) -> impl Future<Output = u32> + Send {
    async move {
        park.wait().await;
        3
    }
}

/// A future that stays pending until released, so a snapshot sees it.
#[derive(Clone)]
struct Park(std::sync::Arc<tokio::sync::Notify>);

impl Park {
    fn new() -> Self {
        Park(std::sync::Arc::new(tokio::sync::Notify::new()))
    }
    async fn wait(&self) {
        self.0.notified().await;
    }
    fn release(&self) {
        self.0.notify_waiters();
    }
}

async fn snapshot_when(pred: impl Fn(&Snapshot) -> bool) -> Snapshot {
    for _ in 0..3000 {
        let snap = peeps::snapshot();
        if pred(&snap) {
            return snap;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "condition never held; last snapshot: {:#?}",
        peeps::snapshot()
    );
}

/// `file:line` of the first line of this file that contains `text` (the
/// line an instrumented fn's node points at).
fn fn_line(text: &str) -> String {
    let line = include_str!("instrument.rs")
        .lines()
        .position(|l| l.contains(text))
        .expect(text)
        + 1;
    format!("{}:{line}", file!())
}

fn future_named<'a>(snap: &'a Snapshot, name: &str) -> &'a peeps::graph::Node {
    snap.nodes
        .iter()
        .find(|n| n.kind == NodeKind::Future && n.name == name)
        .unwrap_or_else(|| panic!("no future {name:?}"))
}

#[tokio::test]
async fn every_shape_becomes_a_named_future_node() {
    let park = Park::new();
    let p = park.clone();
    let task = peeps::spawn_named("shapes", async move {
        let mut acct = Account { balance: 1 };
        let a = acct.peek(p.clone()).await;
        let b = acct.deposit(2, p.clone()).await;
        let c = generic(String::from("x"), p.clone()).await;
        let d = with_name(p.clone()).await.unwrap();
        let e = returns_future(p.clone()).await;
        let f = peeps::peeps!("explicit", async {
            p.wait().await;
            6
        })
        .await;
        let g = peeps::peeps!(p.wait()).await;
        let h = acct.close(p.clone()).await;
        (a, b, c, d, e, f, g, h)
    });
    let this_file = file!();
    for (name, line_hint) in [
        ("peek", fn_line("fn peek")),
        ("deposit", fn_line("fn deposit")),
        ("generic", fn_line("fn generic")),
        ("renamed", fn_line("fn with_name")),
        ("returns_future", fn_line("fn returns_future")),
        ("explicit", this_file.to_string()),
        ("p.wait()", this_file.to_string()),
        ("close", fn_line("fn close")),
    ] {
        let line_hint = line_hint.as_str();
        let snap = snapshot_when(|s| s.nodes.iter().any(|n| n.name == name)).await;
        let node = future_named(&snap, name);
        let location = node.location.as_deref().unwrap();
        assert!(
            location.starts_with(line_hint),
            "{name}: location {location}"
        );
        assert_eq!(node.state.as_deref(), Some("pending"), "{name}");
        let task = snap.nodes.iter().find(|n| n.name == "shapes").unwrap();
        assert!(
            snap.edges
                .iter()
                .any(|e| e.kind == EdgeKind::Needs && e.from == task.id && e.to == node.id),
            "{name} is not needed by its task"
        );
        park.release();
    }
    assert_eq!(task.await.unwrap(), (1, 3, "x".to_owned(), 7, 3, 6, (), 3));
    let snap = peeps::snapshot();
    assert!(
        !snap
            .nodes
            .iter()
            .any(|n| n.name == "shapes" || n.name == "peek"),
        "nodes left behind"
    );
}
