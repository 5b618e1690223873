//! Merging many processes: latest snapshot per key, `calls` stitching,
//! cross-process deadlocks, and malformed input that must never panic.

mod support;

use peeps_graph::analysis::Certainty;
use peeps_graph::{Edge, EdgeKind, NodeKind, merge};
use support::*;

/// a: "client" holds "cache" and calls b's "fetch"; b's "fetch-handler"
/// calls a's "lookup"; a's "lookup-handler" waits on "cache".
fn two_process_cycle() -> (Dump, Dump) {
    let mut a = Dump::new("a");
    let mut b = Dump::new("b");
    let client = a.task("client");
    let cache = a.mutex("cache");
    a.hold(cache, client, "guard");
    let fetch = a.request("fetch", "a-key/1");
    a.wait(client, fetch, "call");
    let lookup_handler = a.task("lookup-handler");
    a.handler("lookup", "b-key/1", lookup_handler);
    a.wait(lookup_handler, cache, "lock");

    let fetch_handler = b.task("fetch-handler");
    b.handler("fetch", "a-key/1", fetch_handler);
    let lookup = b.request("lookup", "b-key/1");
    b.wait(fetch_handler, lookup, "call");
    (a, b)
}

#[test]
fn calls_are_stitched_by_exact_call_id() {
    let (a, b) = two_process_cycle();
    let snaps = [a.build(), b.build()];
    let merged = merge(&snaps);
    let calls: Vec<(String, String)> = merged
        .graph()
        .edge_indices()
        .filter(|&e| merged.graph()[e].kind == EdgeKind::Calls)
        .map(|e| {
            let (from, to) = merged.graph().edge_endpoints(e).unwrap();
            (merged.node(from).name.clone(), merged.node(to).name.clone())
        })
        .collect();
    assert_eq!(calls.len(), 2);
    assert!(calls.contains(&("fetch".into(), "fetch".into())));
    assert!(calls.contains(&("lookup".into(), "lookup".into())));
    assert!(merged.issues().is_empty());
    assert_eq!(merged.processes().len(), 2);
    let client = merged.find("a-key", 1).unwrap();
    assert_eq!(merged.node(client).name, "client");
    assert_eq!(merged.process_of(client).process.name, "a");
    assert!(merged.find("c-key", 1).is_none());
}

#[test]
fn a_cross_process_deadlock_through_rpc() {
    let (a, b) = two_process_cycle();
    let report = analyze(&[a.build(), b.build()]);
    let d = only_deadlock(&report);
    assert!(d.cross_process);
    assert_eq!(d.certainty, Certainty::Certain);
    assert_eq!(task_names(d), ["client", "fetch-handler", "lookup-handler"]);
    assert_eq!(d.cycle[0].via.as_ref().unwrap().kind, NodeKind::Handler);
    assert_eq!(
        d.text,
        "deadlock (certain, 3 tasks, 2 processes):\n  \
         task \"client\" (src/client.rs:1) [a] waits for the response to request \"fetch\" (made at src/fetch.rs:3) for 5.0 s\n    \
         handled by task \"fetch-handler\" (src/fetch-handler.rs:1) [b]\n  \
         task \"fetch-handler\" waits for the response to request \"lookup\" (made at src/lookup.rs:3) for 5.0 s\n    \
         handled by task \"lookup-handler\" (src/lookup-handler.rs:4) [a]\n  \
         task \"lookup-handler\" waits to lock mutex \"cache\" (made at src/cache.rs:2) for 5.0 s\n    \
         held by task \"client\""
    );
}

#[test]
fn without_the_remote_process_a_call_is_external() {
    let (a, _) = two_process_cycle();
    let report = analyze(&[a.build()]);
    assert_no_deadlock(&report);
}

#[test]
fn the_latest_snapshot_of_a_process_wins() {
    let (a, b) = two_process_cycle();
    let mut old_b = b.raw();
    old_b.captured_at_ms -= 10_000;
    // In the older snapshot, the handler task was still running.
    for n in &mut old_b.nodes {
        if n.name == "fetch-handler" {
            n.state = Some("polling".into());
        }
    }
    for order in [
        vec![a.build(), old_b.clone(), b.build()],
        vec![a.build(), b.build(), old_b.clone()],
    ] {
        let merged = merge(&order);
        assert_eq!(merged.issues().superseded_snapshots, 1);
        let report = peeps_graph::analyze_merged(&merged, &Default::default());
        assert_eq!(report.deadlocks.len(), 1);
    }
}

#[test]
fn two_processes_with_one_name_are_told_apart() {
    let (a, b) = two_process_cycle();
    let mut a = a.raw();
    a.process.name = "svc".into();
    let mut b = b.raw();
    b.process.name = "svc".into();
    b.process.pid = 999;
    let report = analyze(&[a, b]);
    let text = &report.deadlocks[0].text;
    assert!(text.contains("[svc (pid 101)]"), "{text}");
    assert!(text.contains("[svc (pid 999)]"), "{text}");
}

#[test]
fn malformed_references_never_panic() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let f = d.future(a, "f");
    let m = d.mutex("m");
    let mut s = d.raw();
    let edge = |from, to, kind| Edge {
        from,
        to,
        kind,
        since_ms: None,
        attrs: Default::default(),
    };
    // Edges to nodes that do not exist, in every kind.
    for kind in EdgeKind::ALL {
        s.edges.push(edge(a, 999, kind));
        s.edges.push(edge(998, b, kind));
    }
    // A needs cycle among futures, a future with two parents, a task as a
    // needs child, a wait from a resource, a hold by a resource, a wait on
    // a future, self edges of every kind.
    s.edges.push(edge(f, f, EdgeKind::Needs));
    s.edges.push(edge(b, f, EdgeKind::Needs));
    s.edges.push(edge(a, b, EdgeKind::Needs));
    s.edges.push(edge(m, a, EdgeKind::WaitsOn));
    s.edges.push(edge(m, m, EdgeKind::HeldBy));
    s.edges.push(edge(b, f, EdgeKind::WaitsOn));
    for kind in EdgeKind::ALL {
        s.edges.push(edge(a, a, kind));
    }
    // A repeated id, odd attribute types, a handler without a task.
    let mut dup = s.nodes[0].clone();
    dup.name = "impostor".into();
    s.nodes.push(dup);
    s.nodes[1]
        .attrs
        .insert("waker_clones".into(), "many".into());
    s.nodes[1].attrs.insert("tracked".into(), 3.into());
    s.nodes.push(peeps_graph::Node {
        id: u64::MAX,
        kind: NodeKind::Handler,
        name: "h".into(),
        location: None,
        state: None,
        since_ms: None,
        attrs: [("caller_call_id".to_owned(), serde_json::json!(7))]
            .into_iter()
            .collect(),
    });
    let snaps = [s.clone(), s];
    let merged = merge(&snaps);
    let issues = merged.issues();
    assert_eq!(issues.dangling_edges, 2 * EdgeKind::ALL.len());
    assert_eq!(issues.duplicate_ids, 1);
    assert_eq!(issues.superseded_snapshots, 1);
    assert!(issues.to_string().contains("missing node"));
    let report = peeps_graph::analyze_merged(&merged, &Default::default());
    // Whatever it says, it says it in words and JSON without panicking.
    let _ = serde_json::to_string(&report).unwrap();
    assert!(report.text().ends_with("blocking polls\n"));
    let dot = peeps_graph::dot::to_dot(&merged, &report, &Default::default());
    assert!(dot.ends_with("}\n"));
}

#[test]
fn sparse_and_huge_ids_merge() {
    let mut d = Dump::new("svc");
    let (a, b) = (d.task("a"), d.task("b"));
    let (m1, m2) = (d.mutex("m1"), d.mutex("m2"));
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    let mut s = d.raw();
    // Spread ids far apart: the merge must switch to a sparse index.
    let remap = |id: u64| id.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for n in &mut s.nodes {
        n.id = remap(n.id);
    }
    for e in &mut s.edges {
        e.from = remap(e.from);
        e.to = remap(e.to);
    }
    assert_deadlocks(&analyze(&[s]), &[&["a", "b"]]);
}
