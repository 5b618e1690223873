//! Graph tests of the oneshot channel: its node registered by the first
//! wait, the endpoints' holds, and an end that goes releasing its hold at
//! once.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::NodeKind;
use peeps_runtime::spawn_named;
use peeps_sync::oneshot;
use support::{Graph, endpoint_edges, eventually, held_by, waits_on};

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

/// Regression ("a sent oneshot has no live sender"): the receiver waited,
/// so it registered the channel's node with the sender's hold in it, but
/// the sender never linked to that node. Its `send` now releases the hold
/// as it returns; it used to stay until the receiver was polled again.
#[tokio::test(flavor = "current_thread")]
async fn a_sent_oneshot_has_no_live_sender() {
    let site = site(line!() + 1);
    let (tx, rx) = oneshot::channel::<u8>();
    let waiter = spawn_named("gc-sent-rx", rx);
    let g = eventually(|g| waits_on("gc-sent-rx", &site).op("recv").check(g)).await;
    assert_eq!(endpoint_edges(&g, &site, "sender").len(), 1);
    tx.send(7).unwrap();
    // No `.await` since the send: on this current-thread runtime the
    // woken receiver has not been polled again.
    let g = Graph::take();
    waits_on("gc-sent-rx", &site).op("recv").assert_in(&g);
    assert_eq!(endpoint_edges(&g, &site, "sender").len(), 0, "{}", g.dump());
    assert_eq!(g.attr(&site, "senders"), 0);
    assert_eq!(g.attr(&site, "sent"), 1);
    assert_eq!(g.attr(&site, "len"), 1, "the value waits in the channel");
    assert_eq!(waiter.await.unwrap(), Ok(7));
    assert!(Graph::take().find(&site).is_err());
}
