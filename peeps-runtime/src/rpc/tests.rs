//! The RPC nodes and edges, and a deadlock through a call.

use super::*;
use crate::wait::{Op, WaitEdge};
use peeps_graph::{EdgeKind, NodeKind, Options, Snapshot, attr};
use std::task::Poll;
use std::time::Duration;

fn nodes_of(snap: &Snapshot, kind: NodeKind) -> Vec<&peeps_graph::Node> {
    snap.nodes.iter().filter(|n| n.kind == kind).collect()
}

#[test]
fn call_ids_are_unique_and_name_the_process() {
    let a = OutgoingCall::new("S.m", "p");
    let b = OutgoingCall::new("S.m", "p");
    assert_ne!(a.id(), b.id());
    let key = crate::process::key();
    assert!(a.id().starts_with(&format!("{key}/")), "{}", a.id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_is_waited_on_and_handler_is_held_by_its_task() {
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let (id_tx, id_rx) = tokio::sync::oneshot::channel::<String>();
    let (resp_tx, resp_rx) = tokio::sync::oneshot::channel::<u32>();
    let caller = crate::spawn_named("caller", async move {
        let call = OutgoingCall::new("Svc.work", "server");
        id_tx.send(call.id().to_owned()).unwrap();
        call.wait(resp_rx).await.unwrap()
    });
    let id = id_rx.await.unwrap();
    let server = tokio::spawn(handle("Svc.work", &id, async move {
        go_rx.await.unwrap();
        resp_tx.send(7).unwrap();
    }));
    // Wait (bounded) until both sides are pending and visible.
    let has =
        |n: &peeps_graph::Node, key: &str| n.attrs.get(key).is_some_and(|v| v == id.as_str());
    let mut snap = crate::snapshot();
    // At most about 30 s: only a stalled machine takes more than a few ms.
    for _ in 0..3000 {
        let req = snap.nodes.iter().find(|n| has(n, attr::CALL_ID));
        let waited = req.is_some_and(|r| {
            snap.edges
                .iter()
                .any(|e| e.to == r.id && e.kind == EdgeKind::WaitsOn)
        });
        if waited && snap.nodes.iter().any(|n| has(n, attr::CALLER_CALL_ID)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        snap = crate::snapshot();
    }
    let req = nodes_of(&snap, NodeKind::Request)
        .into_iter()
        .find(|n| has(n, attr::CALL_ID));
    let req = req.expect("request node");
    assert_eq!(req.attrs[attr::METHOD], "Svc.work");
    assert_eq!(req.attrs[attr::PEER], "server");
    assert_eq!(req.name, "Svc.work to server");
    let wait = snap
        .edges
        .iter()
        .find(|e| e.to == req.id && e.kind == EdgeKind::WaitsOn)
        .expect("waits_on");
    assert_eq!(wait.attrs[attr::OP], peeps_graph::Op::Call.as_str());
    let waiter = snap.nodes.iter().find(|n| n.id == wait.from).unwrap();
    assert_eq!(waiter.name, "caller");
    let handler = nodes_of(&snap, NodeKind::Handler)
        .into_iter()
        .find(|n| has(n, attr::CALLER_CALL_ID))
        .expect("handler node");
    let held = snap
        .edges
        .iter()
        .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
        .expect("held_by");
    assert_eq!(held.attrs[attr::AS], attr::AS_HANDLER);
    let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
    assert_eq!(task.kind, NodeKind::Task);
    assert_eq!(task.name, "handle Svc.work");
    assert_eq!(task.attrs[attr::TRACKED], true);
    // Merging stitches request -> handler.
    let merged = peeps_graph::merge(std::slice::from_ref(&snap));
    let g = merged.graph();
    assert!(g.edge_indices().any(|e| g[e].kind == EdgeKind::Calls));

    go_tx.send(()).unwrap();
    assert_eq!(caller.await.unwrap(), 7);
    server.await.unwrap();
    let after = crate::snapshot();
    assert!(
        !after
            .nodes
            .iter()
            .any(|n| has(n, attr::CALL_ID) || has(n, attr::CALLER_CALL_ID))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_inside_a_peeps_task_is_held_by_that_task() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
    let outer = crate::spawn_named("conn", async move {
        handle("Svc.inline", "k/1", async move {
            entered_tx.send(()).unwrap();
            rx.await.unwrap();
        })
        .await;
    });
    entered_rx.await.unwrap();
    let snap = crate::snapshot();
    let handler = nodes_of(&snap, NodeKind::Handler)
        .into_iter()
        .find(|n| {
            n.attrs
                .get(attr::CALLER_CALL_ID)
                .is_some_and(|v| v == "k/1")
        })
        .expect("handler node");
    let held = snap
        .edges
        .iter()
        .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
        .unwrap();
    let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
    assert_eq!(task.name, "conn");
    tx.send(()).unwrap();
    outer.await.unwrap();
}

/// Regression: the holder was decided where `handle` was called, so a
/// peeps task that `tokio::spawn`s the handler was taken as its holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_spawned_from_a_peeps_task_runs_as_its_own_task() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel::<()>();
    let acceptor = crate::spawn_named("acceptor", async move {
        let served = tokio::spawn(handle("Svc.spawned", "k/2", async move {
            entered_tx.send(()).unwrap();
            rx.await.unwrap();
        }));
        served.await.unwrap();
    });
    entered_rx.await.unwrap();
    let snap = crate::snapshot();
    let handler = nodes_of(&snap, NodeKind::Handler)
        .into_iter()
        .find(|n| {
            n.attrs
                .get(attr::CALLER_CALL_ID)
                .is_some_and(|v| v == "k/2")
        })
        .expect("handler node");
    let held = snap
        .edges
        .iter()
        .find(|e| e.from == handler.id && e.kind == EdgeKind::HeldBy)
        .unwrap();
    let task = snap.nodes.iter().find(|n| n.id == held.to).unwrap();
    assert_eq!(task.name, "handle Svc.spawned");
    tx.send(()).unwrap();
    acceptor.await.unwrap();
}

/// One process calling itself through a lock: the analysis follows
/// request -> calls -> handler -> task and finds the cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_through_an_rpc_is_a_deadlock() {
    use crate::hold::HoldAs;
    use crate::resource::Resource;
    // A lock-like resource held by the caller, wanted by the handler.
    let lock = Resource::new(NodeKind::Mutex);
    let lock2 = lock.clone();
    let (id_tx, id_rx) = tokio::sync::oneshot::channel::<String>();
    let _caller = crate::spawn_named("caller", async move {
        let hold = lock2.holders().acquire(HoldAs::Guard, true, None);
        let call = OutgoingCall::new("Svc.back", "self");
        id_tx.send(call.id().to_owned()).unwrap();
        call.wait(std::future::pending::<()>()).await;
        lock2.holders().release(hold);
    });
    let id = id_rx.await.unwrap();
    let lock3 = lock.clone();
    let _server = tokio::spawn(handle("Svc.back", &id, async move {
        let mut wait: WaitEdge = WaitEdge::new();
        std::future::poll_fn(|_cx| {
            wait.begin(lock3.waits(), Op::Lock, None);
            Poll::<()>::Pending
        })
        .await;
    }));
    let options = Options::default().settle_ms(0);
    let mut found = None;
    // At most about 30 s: only a stalled machine takes more than a few ms.
    for _ in 0..3000 {
        let snap = crate::snapshot();
        let report = peeps_graph::analyze(std::slice::from_ref(&snap), &options);
        if let Some(d) = report.deadlocks.first() {
            found = Some(d.text.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let text = found.expect("a deadlock through the RPC");
    assert!(
        text.contains("handled by task \"handle Svc.back\""),
        "{text}"
    );
    assert!(
        text.contains("waits for the response to request \"Svc.back to self\""),
        "{text}"
    );
}
