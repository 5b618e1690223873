//! Graph tests of the channels: waits, endpoint attribution and counters.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::{EdgeKind, NodeKind};
use peeps_runtime::spawn_named;
use peeps_sync::{broadcast, mpsc, oneshot, watch};
use support::{Graph, eventually, held_by, waits_on};

/// The `held_by` edges of the node named `chan` with `as: how`.
fn endpoint_edges<'g>(g: &'g Graph, chan: &str, how: &str) -> Vec<&'g peeps_graph::Edge> {
    let id = g.node(chan).id;
    g.snap
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::HeldBy && e.from == id && e.attrs["as"] == how)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_recv_wait_and_endpoint_attribution() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("gc-jobs", 4);
    // Made here, never used yet: attributed to this (plain tokio) task,
    // unconfirmed.
    let g = Graph::take();
    let chan = g.node("gc-jobs");
    assert_eq!(chan.kind, NodeKind::Channel);
    let senders = endpoint_edges(&g, "gc-jobs", "sender");
    assert_eq!(senders.len(), 1);
    assert_eq!(senders[0].attrs.get("confirmed"), Some(&false.into()));
    assert_eq!(g.attr("gc-jobs", "flavor"), "mpsc");
    assert_eq!(g.attr("gc-jobs", "capacity"), 4);
    assert_eq!(g.attr("gc-jobs", "senders"), 1);
    assert_eq!(g.attr("gc-jobs", "receivers"), 1);
    assert_eq!(g.attr("gc-jobs", "closed"), false);
    assert_eq!(g.node("gc-jobs").state.as_deref(), Some("open"));

    let (got_tx, got_rx) = tokio::sync::oneshot::channel();
    let consumer = spawn_named("gc-consumer", async move {
        let first = rx.recv().await;
        got_tx.send(first).unwrap();
        let rest = rx.recv().await;
        (rx, rest)
    });
    let g = eventually(|g| {
        waits_on("gc-consumer", "gc-jobs")
            .op("recv")
            .target_kind(NodeKind::Channel)
            .check(g)
    })
    .await;
    // Receiving made the consumer the receiver's confirmed holder.
    held_by("gc-jobs", "gc-consumer")
        .as_("receiver")
        .confirmed(true)
        .assert_in(&g);

    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel();
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let producer = spawn_named("gc-producer", async move {
        tx.send(1).await.unwrap();
        sent_tx.send(()).unwrap();
        end_rx.await.unwrap();
        drop(tx);
    });
    sent_rx.await.unwrap();
    assert_eq!(got_rx.await.unwrap(), Some(1));
    let g = eventually(|g| {
        held_by("gc-jobs", "gc-producer")
            .as_("sender")
            .confirmed(true)
            .check(g)
    })
    .await;
    assert_eq!(
        endpoint_edges(&g, "gc-jobs", "sender").len(),
        1,
        "the sender moved, not copied"
    );
    assert_eq!(g.attr("gc-jobs", "sent"), 1);
    assert!(g.attr("gc-jobs", "last_send_ms").is_u64());

    end_tx.send(()).unwrap();
    producer.await.unwrap();
    let (rx, rest) = consumer.await.unwrap();
    assert_eq!(rest, None);
    let g = Graph::take();
    assert_eq!(g.attr("gc-jobs", "senders"), 0);
    assert_eq!(g.attr("gc-jobs", "closed"), true);
    assert_eq!(g.attr("gc-jobs", "received"), 1);
    assert_eq!(g.attr("gc-jobs", "len"), 0);
    assert!(endpoint_edges(&g, "gc-jobs", "sender").is_empty());
    drop(rx);
    assert!(
        Graph::take().find("gc-jobs").is_err(),
        "the node leaves with the last endpoint"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mpsc_full_send_waits_on_the_channel() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let tx = tx.named("gc-full");
    tx.send(0).await.unwrap();
    let producer = spawn_named("gc-full-producer", async move {
        tx.send(1).await.unwrap();
        tx.send(2).await.unwrap();
    });
    let g = eventually(|g| waits_on("gc-full-producer", "gc-full").op("send").check(g)).await;
    assert_eq!(g.attr("gc-full", "len"), 1);
    assert_eq!(g.attr("gc-full", "waiters"), 1);
    assert_eq!(rx.recv().await, Some(0));
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, Some(2));
    producer.await.unwrap();
    let g = Graph::take();
    assert_eq!(g.attr("gc-full", "waiters"), 0);
    assert_eq!(g.attr("gc-full", "sent"), 3);
    assert_eq!(g.attr("gc-full", "received"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_clone_is_attributed_to_the_cloner() {
    let (tx, mut rx) = mpsc::unbounded_channel_named::<u8>("gc-unb");
    let (cloned_tx, cloned_rx) = tokio::sync::oneshot::channel();
    let (end_tx, end_rx) = tokio::sync::oneshot::channel::<()>();
    let cloner = spawn_named("gc-unb-cloner", async move {
        let mine = tx.clone();
        cloned_tx.send(()).unwrap();
        end_rx.await.unwrap();
        drop((tx, mine));
    });
    cloned_rx.await.unwrap();
    let g = eventually(|g| {
        let edges = g.edges(
            peeps_graph::EdgeKind::HeldBy,
            g.find("gc-unb")?,
            g.find("gc-unb-cloner")?,
        );
        // The sender moved in at spawn, and the clone made there; both
        // found in the cloner's own state while it waits.
        let mut seen: Vec<(&str, bool, &str)> = edges
            .iter()
            .map(|e| {
                (
                    e.attrs["evidence"].as_str().unwrap_or(""),
                    e.attrs.get("in_state") == Some(&true.into()),
                    e.attrs["as"].as_str().unwrap_or(""),
                )
            })
            .collect();
        seen.sort();
        if seen == [("made", true, "sender"), ("spawned", true, "sender")] {
            Ok(())
        } else {
            Err(format!("held_by edges to the cloner: {seen:?}"))
        }
    })
    .await;
    assert_eq!(g.attr("gc-unb", "flavor"), "mpsc_unbounded");
    assert_eq!(g.attr("gc-unb", "senders"), 2);
    assert_eq!(g.attr("gc-unb", "capacity"), serde_json::Value::Null);
    end_tx.send(()).unwrap();
    cloner.await.unwrap();
    assert_eq!(rx.recv().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_receiver_waits_on_the_sender() {
    let (tx, rx) = oneshot::channel_named::<u8>("gc-once");
    let waiter = spawn_named("gc-once-waiter", rx);
    let g = eventually(|g| waits_on("gc-once-waiter", "gc-once").op("recv").check(g)).await;
    assert_eq!(g.attr("gc-once", "flavor"), "oneshot");
    assert_eq!(endpoint_edges(&g, "gc-once", "sender").len(), 1);
    held_by("gc-once", "gc-once-waiter")
        .as_("receiver")
        .confirmed(true)
        .assert_in(&g);
    tx.send(9).unwrap();
    assert_eq!(waiter.await.unwrap(), Ok(9));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_and_watch_waits() {
    let (btx, mut brx) = broadcast::channel_named::<u8>("gc-bcast", 2);
    let b = spawn_named("gc-bcast-rx", async move { brx.recv().await });
    let (wtx, mut wrx) = watch::channel_named("gc-watch", 0u8);
    let w = spawn_named("gc-watch-rx", async move {
        wrx.changed().await.unwrap();
        *wrx.borrow_and_update()
    });
    let g = eventually(|g| {
        support::all(&[
            waits_on("gc-bcast-rx", "gc-bcast").op("recv").check(g),
            waits_on("gc-watch-rx", "gc-watch").op("changed").check(g),
        ])
    })
    .await;
    assert_eq!(g.attr("gc-bcast", "flavor"), "broadcast");
    assert_eq!(g.attr("gc-bcast", "capacity"), 2);
    assert_eq!(g.attr("gc-watch", "flavor"), "watch");
    assert_eq!(
        g.attr("gc-bcast", "len"),
        serde_json::Value::Null,
        "no len for broadcast"
    );
    btx.send(4).unwrap();
    wtx.send(5).unwrap();
    assert_eq!(b.await.unwrap(), Ok(4));
    assert_eq!(w.await.unwrap(), 5);
    let g = Graph::take();
    assert_eq!(g.attr("gc-bcast", "sent"), 1);
    assert_eq!(g.attr("gc-bcast", "received"), 1);
    assert_eq!(g.attr("gc-bcast", "receivers"), 0);
    assert_eq!(g.attr("gc-watch", "received"), 1);
}

/// The node name of a channel made at `line` of this file.
fn site(line: u32) -> String {
    format!("{}:{line}", file!())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_node_appears_on_the_first_wait_and_leaves_with_its_ends() {
    let site = site(line!() + 1);
    let (tx, rx) = oneshot::channel::<u8>();
    assert!(
        Graph::take().find(&site).is_err(),
        "a oneshot nobody waited on has no node"
    );
    let waiter = spawn_named("gc-lazy-waiter", rx);
    let g = eventually(|g| waits_on("gc-lazy-waiter", &site).op("recv").check(g)).await;
    // Registered by the wait: the sender still attributed to the task that
    // made the channel (not the waiter), unconfirmed; the receiver to the
    // waiter, confirmed by its use.
    let senders = endpoint_edges(&g, &site, "sender");
    assert_eq!(senders.len(), 1);
    assert_eq!(senders[0].attrs.get("confirmed"), Some(&false.into()));
    let maker = g.snap.nodes.iter().find(|n| n.id == senders[0].to);
    assert_eq!(
        maker.map(|n| n.kind),
        Some(NodeKind::Thread),
        "the sender's holder is this test's block_on thread: {}",
        g.dump()
    );
    held_by(&site, "gc-lazy-waiter")
        .as_("receiver")
        .confirmed(true)
        .assert_in(&g);
    assert_eq!(endpoint_edges(&g, &site, "receiver").len(), 1);
    assert_eq!(g.attr(&site, "flavor"), "oneshot");
    assert_eq!(g.attr(&site, "senders"), 1);
    assert_eq!(g.attr(&site, "receivers"), 1);
    assert_eq!(g.attr(&site, "sent"), 0);
    tx.send(3).unwrap();
    assert_eq!(waiter.await.unwrap(), Ok(3));
    assert!(
        Graph::take().find(&site).is_err(),
        "the node leaves with both ends"
    );
}

/// A peeps task `name` that awaits `tx.closed()`, then keeps `tx` until
/// told: returns the task, a signal of `closed` completing, and the "let
/// go" sender.
fn closer(
    name: &'static str,
    mut tx: oneshot::Sender<u8>,
) -> (
    peeps_runtime::JoinHandle<()>,
    tokio::sync::oneshot::Receiver<()>,
    tokio::sync::oneshot::Sender<()>,
) {
    let (keep_tx, keep_rx) = tokio::sync::oneshot::channel::<()>();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let task = spawn_named(name, async move {
        tx.closed().await;
        closed_tx.send(()).unwrap();
        keep_rx.await.unwrap();
        drop(tx);
    });
    (task, closed_rx, keep_tx)
}

/// No `as: receiver` edge and no receiver counted.
fn assert_no_receiver(g: &Graph, site: &str) {
    assert_eq!(endpoint_edges(g, site, "receiver").len(), 0, "{}", g.dump());
    assert_eq!(g.attr(site, "receivers"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_end_dropped_before_the_node_exists_leaves_no_hold() {
    let site = site(line!() + 1);
    let (tx, rx) = oneshot::channel::<u8>();
    drop(rx);
    // `closed` registers the node after the receiver is gone.
    let (task, closed_rx, keep_tx) = closer("gc-lazy-closer", tx);
    closed_rx.await.unwrap();
    let g = Graph::take();
    assert_no_receiver(&g, &site);
    assert_eq!(g.attr(&site, "senders"), 1);
    assert_eq!(g.attr(&site, "closed"), true);
    held_by(&site, "gc-lazy-closer")
        .as_("sender")
        .confirmed(true)
        .assert_in(&g);
    keep_tx.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_end_dropped_after_the_node_exists_releases_its_hold() {
    let site = site(line!() + 1);
    let (tx, rx) = oneshot::channel::<u8>();
    let (task, closed_rx, keep_tx) = closer("gc-lazy-closer2", tx);
    eventually(|g| waits_on("gc-lazy-closer2", &site).op("closed").check(g)).await;
    drop(rx);
    closed_rx.await.unwrap();
    let g = Graph::take();
    assert_no_receiver(&g, &site);
    waits_on("gc-lazy-closer2", &site).assert_absent(&g);
    keep_tx.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oneshot_ends_registering_apart_share_one_node() {
    let site = site(line!() + 1);
    let (mut tx, rx) = oneshot::channel::<u8>();
    let waiter = spawn_named("gc-link-rx", rx);
    eventually(|g| waits_on("gc-link-rx", &site).op("recv").check(g)).await;
    // The sender, moved to another task, waits too: it finds the node the
    // receiver registered (`find` fails on two nodes of one name).
    let (go_tx, go_rx) = tokio::sync::oneshot::channel::<()>();
    let sender = spawn_named("gc-link-tx", async move {
        tokio::select! {
            () = tx.closed() => unreachable!("the receiver waits"),
            _ = go_rx => {}
        }
        tx.send(5).unwrap();
    });
    let g = eventually(|g| {
        support::all(&[
            waits_on("gc-link-tx", &site).op("closed").check(g),
            held_by(&site, "gc-link-tx")
                .as_("sender")
                .confirmed(true)
                .check(g),
        ])
    })
    .await;
    held_by(&site, "gc-link-rx")
        .as_("receiver")
        .confirmed(true)
        .assert_in(&g);
    assert_eq!(endpoint_edges(&g, &site, "sender").len(), 1);
    go_tx.send(()).unwrap();
    sender.await.unwrap();
    assert_eq!(waiter.await.unwrap(), Ok(5));
    assert!(Graph::take().find(&site).is_err());
}
