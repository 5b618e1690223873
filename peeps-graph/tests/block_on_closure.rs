//! A `spawn_blocking` closure driving its waits with `Handle::block_on`:
//! its thread is one peeps cannot see into, but when only its waits hold
//! its waker (its thread's count, `waker_clones`), it is parked in them as
//! in a blocking call, so a handle it may have is no way out of its own
//! wait (hunt43's `spawn_blocking_block_on_recv_sender_kept`).

mod support;

use peeps_graph::analysis::Certainty;
use support::*;

/// `importer` keeps the sender of `rows` and awaits a `spawn_blocking`
/// closure that waits, in `Handle::block_on`, to receive from `rows`;
/// `clones` of the closure's waker are alive.
fn importer(clones: Option<u64>) -> peeps_graph::Snapshot {
    build(clones, false)
}

/// [`importer`], the closure's receive a `blocking_recv` when `blocking`.
fn build(clones: Option<u64>, blocking: bool) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let importer = d.task("importer");
    let reader = d.plain_task("tokio task 4");
    d.node(reader).attr("unseen_thread", true);
    if let Some(clones) = clones {
        d.node(reader).attr("waker_clones", clones);
    }
    let rows = d.channel("rows", "mpsc", 1, 1);
    d.hold(rows, importer, "sender")
        .attr("evidence", "used")
        .attr("in_state", true);
    d.hold(rows, reader, "receiver").attr("evidence", "used");
    let wait = d.wait(reader, rows, "recv").attr("queued", 1);
    if blocking {
        wait.attr("blocking_call", true);
    }
    d.wait(importer, reader, "join");
    d.census(1, 0, 6, 1);
    d.build()
}

#[test]
fn a_block_on_closure_whose_waits_hold_its_waker_is_parked_in_them() {
    let report = analyze(&[importer(Some(1))]);
    let dl = only_deadlock(&report);
    let mut names = task_names(dl);
    names.sort();
    assert_eq!(names, ["importer", "tokio task 4"]);
    // As certain as the same closure in a `blocking_recv`: the sender is
    // with the importer, or with the closure itself, parked in its wait.
    let blocking = analyze(&[build(None, true)]);
    assert_eq!(dl.certainty, only_deadlock(&blocking).certainty);
    assert_eq!(dl.certainty, Certainty::Certain);
}

#[test]
fn a_clone_beyond_its_waits_may_wake_the_closure() {
    // A timer in the same `block_on` (`select!` with a sleep).
    assert_no_deadlock(&analyze(&[importer(Some(2))]));
}

#[test]
fn an_uncounted_closure_may_be_anywhere() {
    assert_no_deadlock(&analyze(&[importer(None)]));
}
