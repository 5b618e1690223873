//! Graph tests of a watch channel's borrows: a live `Ref` is a read hold
//! of the channel (`held_by`, `as: read_guard`), and a `send` blocked by
//! one is a `waits_on` edge with `op: write` (tokio#4246), both naming the
//! call that made them.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::NodeKind;
use peeps_runtime::spawn_named;
use peeps_sync::watch;
use support::{Graph, assert_at, endpoint_edges, eventually, held_by, waits_on};
use tokio::sync::oneshot;

/// Keeps `value` (a `Ref`) across an `.await`: says so on `borrowed`, then
/// waits for `release`.
async fn keep<R>(value: R, borrowed: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
    borrowed.send(()).unwrap();
    let _ = release.await;
    drop(value);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_borrow_kept_across_an_await_blocks_a_send() {
    let (tx, rx) = watch::channel_named("gw-watch", 0u8);
    // Keeps the channel's node after both tasks are done.
    let kept = rx.clone();
    let (said, borrowed) = oneshot::channel();
    let (release, go) = oneshot::channel();
    // A `Ref` is not `Send`: the task keeping one is a local task.
    let local = tokio::task::LocalSet::new();
    let (borrow, line) = (async move { keep(rx.borrow(), said, go).await }, line!());
    let borrower = local.spawn_local(borrow);
    let borrower_name = format!("tokio task {}", borrower.id());
    local.run_until(borrowed).await.unwrap();

    // The send write-locks the value: it blocks its worker thread.
    let (send, send_line) = (async move { tx.send(1).is_ok() }, line!());
    let sender = spawn_named("gw-sender", send);
    let g = eventually(|g| {
        support::all(&[
            waits_on("gw-sender", "gw-watch")
                .op("write")
                .at(file!(), send_line)
                .check(g),
            held_by("gw-watch", &borrower_name)
                .as_("read_guard")
                .confirmed(true)
                .at(file!(), line)
                .check(g),
        ])
    })
    .await;
    assert_eq!(g.node(&borrower_name).kind, NodeKind::Task);
    assert_eq!(endpoint_edges(&g, "gw-watch", "read_guard").len(), 1);

    release.send(()).unwrap();
    local.run_until(borrower).await.unwrap();
    assert!(sender.await.unwrap(), "the send went through");
    let g = Graph::take();
    assert_eq!(endpoint_edges(&g, "gw-watch", "read_guard").len(), 0);
    waits_on("gw-sender", "gw-watch").assert_absent(&g);
    assert_eq!(g.attr("gw-watch", "waiters"), 0);
    assert_eq!(*kept.borrow(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_ref_is_a_read_hold_until_it_drops() {
    let (tx, mut rx) = watch::channel_named("gw-refs", 0u8);
    let (from_rx, rx_line) = (rx.borrow(), line!());
    let (from_tx, tx_line) = (tx.borrow(), line!());
    let g = Graph::take();
    let holds = endpoint_edges(&g, "gw-refs", "read_guard");
    assert_eq!(holds.len(), 2, "{}", g.dump());
    let (first, second) = if holds[0].attrs["at"].as_str() < holds[1].attrs["at"].as_str() {
        (holds[0], holds[1])
    } else {
        (holds[1], holds[0])
    };
    assert_at(first, file!(), rx_line);
    assert_at(second, file!(), tx_line);
    assert_eq!((*from_rx, *from_tx), (0, 0));
    drop((from_rx, from_tx));
    assert_eq!(
        endpoint_edges(&Graph::take(), "gw-refs", "read_guard").len(),
        0
    );

    // No `Ref` lives: the send does not block, and its wait is gone with it.
    tx.send(1).unwrap();
    let (seen, seen_line) = (rx.borrow_and_update(), line!());
    assert!(seen.has_changed());
    let g = Graph::take();
    assert_at(
        endpoint_edges(&g, "gw-refs", "read_guard")[0],
        file!(),
        seen_line,
    );
    assert_eq!(g.attr("gw-refs", "waiters"), 0);
    drop(seen);

    tx.send(2).unwrap();
    let (found, found_line) = (rx.wait_for(|v| *v == 2).await.unwrap(), line!());
    assert_at(
        endpoint_edges(&Graph::take(), "gw-refs", "read_guard")[0],
        file!(),
        found_line,
    );
    drop(found);
    assert_eq!(
        endpoint_edges(&Graph::take(), "gw-refs", "read_guard").len(),
        0
    );
}

/// A borrow made while a send waits for an earlier borrow to go parks
/// behind the send (the value's lock lets no new reader past a queued
/// writer): a `waits_on` edge with `op: read` naming the call, until the
/// send is through (fedimint#9085).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_borrow_behind_a_waiting_send_waits_on_the_channel() {
    let (tx, rx) = watch::channel_named("gw-queued", 0u8);
    let first = rx.borrow();
    let sender = std::thread::Builder::new()
        .name("gw-send".into())
        .spawn(move || tx.send(1).is_ok())
        .unwrap();
    eventually(|g| waits_on("thread gw-send", "gw-queued").op("write").check(g)).await;
    let again = rx.clone();
    let (borrow, line) = (move || *again.borrow(), line!());
    let reader = std::thread::Builder::new()
        .name("gw-read".into())
        .spawn(borrow)
        .unwrap();
    eventually(|g| {
        waits_on("thread gw-read", "gw-queued")
            .op("read")
            .at(file!(), line)
            .check(g)
    })
    .await;
    drop(first);
    assert!(sender.join().unwrap(), "the send went through");
    assert_eq!(reader.join().unwrap(), 1, "the borrow read the value sent");
}
