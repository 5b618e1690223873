//! Issue 19: a future that completes within its first poll is not
//! registered, yet a snapshot taken during that poll still shows it
//! (through the polling thread's record), with its `needs` edges.
#![cfg(feature = "diagnostics")]

use peeps::graph::{EdgeKind, NodeKind, Snapshot};

fn node<'a>(snap: &'a Snapshot, name: &str) -> &'a peeps::graph::Node {
    snap.nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no node {name}: {:#?}", snap.nodes))
}

fn needs(snap: &Snapshot, from: u64, to: u64) -> bool {
    snap.edges
        .iter()
        .any(|e| e.from == from && e.to == to && e.kind == EdgeKind::Needs)
}

#[test]
fn a_snapshot_during_a_first_poll_shows_the_future_and_its_needs_edges() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        peeps::spawn_named("first-poll-task", async {
            peeps::peeps!("first-outer", async {
                peeps::peeps!("first-inner", async {
                    let snap = peeps::snapshot();
                    let task = node(&snap, "first-poll-task");
                    let outer = node(&snap, "first-outer");
                    let inner = node(&snap, "first-inner");
                    for n in [outer, inner] {
                        assert_eq!(n.kind, NodeKind::Future);
                        assert_eq!(n.state.as_deref(), Some("polling"));
                        assert!(n.location.as_deref().unwrap().contains("first_poll.rs"));
                    }
                    assert!(needs(&snap, task.id, outer.id), "{:#?}", snap.edges);
                    assert!(needs(&snap, outer.id, inner.id), "{:#?}", snap.edges);
                })
                .await
            })
            .await
        })
        .await
        .unwrap();
    });
    let snap = peeps::snapshot();
    assert!(
        !snap
            .nodes
            .iter()
            .any(|n| n.name == "first-outer" || n.name == "first-inner")
    );
}

#[test]
fn a_future_pending_after_its_first_poll_is_registered_once() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        peeps::spawn_named("pending-task", async {
            peeps::peeps!("pends-once", async {
                tokio::task::yield_now().await;
                let snap = peeps::snapshot();
                let task = node(&snap, "pending-task");
                let fut = node(&snap, "pends-once");
                assert_eq!(
                    snap.nodes.iter().filter(|n| n.name == "pends-once").count(),
                    1
                );
                assert_eq!(fut.attrs["polls"], 2);
                assert!(needs(&snap, task.id, fut.id), "{:#?}", snap.edges);
            })
            .await
        })
        .await
        .unwrap();
    });
}
