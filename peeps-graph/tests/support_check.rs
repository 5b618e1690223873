//! The test builder itself: what it writes reads back as peeps-runtime's
//! snapshots do, and the expectations fail when they should.

mod support;

use peeps_graph::{EdgeKind, NodeKind};
use support::*;

#[test]
fn a_task_looks_like_a_runtime_task() {
    let mut d = Dump::new("svc");
    let t = d.task("t");
    let f = d.future(t, "f");
    let snap = d.build();
    assert_eq!(snap.process.key, "svc-key");
    let task = snap.node(t).unwrap();
    assert_eq!(task.kind, NodeKind::Task);
    assert_eq!(task.state.as_deref(), Some("pending"));
    for (attr, value) in [
        ("tracked", serde_json::json!(true)),
        ("woken", serde_json::json!(false)),
        ("waker_clones", serde_json::json!(1)),
        ("waker_clones_accounted", serde_json::json!(1)),
    ] {
        assert_eq!(task.attrs[attr], value, "{attr}");
    }
    let needs = &snap.edges[0];
    assert_eq!((needs.from, needs.to, needs.kind), (t, f, EdgeKind::Needs));
    assert_eq!(needs.since_ms, Some(OLD_MS));
}

#[test]
fn edges_take_their_settings() {
    let mut d = Dump::new("svc");
    let t = d.task("t");
    let m = d.mutex("m");
    d.hold(m, t, "guard").unconfirmed().age(7);
    let snap = d.build();
    let e = &snap.edges[0];
    assert_eq!(e.kind, EdgeKind::HeldBy);
    assert_eq!(e.attrs["as"], "guard");
    assert_eq!(e.attrs["confirmed"], false);
    assert_eq!(e.since_ms, Some(7));
}

#[test]
#[should_panic(expected = "deadlocks differ")]
fn assert_deadlocks_fails_on_a_missing_deadlock() {
    assert_deadlocks(&analyze(&[Dump::new("svc").build()]), &[&["a", "b"]]);
}

#[test]
#[should_panic(expected = "expected one deadlock")]
fn only_deadlock_fails_without_one() {
    let _ = only_deadlock(&analyze(&[Dump::new("svc").build()]));
}
