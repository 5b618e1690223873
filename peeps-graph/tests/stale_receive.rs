//! A receive whose message came and went unread: a message has sat in its
//! channel for the settle time while its task is pending and not woken, so
//! the task was polled since the send woke it and did not poll the receive.
//! It is no way out of the task's other waits (apache/horaedb#941: a
//! keepalive task, its stop `oneshot` left registered by a `select!`,
//! awaits its own `JoinHandle`).

mod support;

use peeps_graph::analysis::Certainty;
use support::*;

/// How a hand-built keepalive differs from the stuck one.
#[derive(Clone, Copy)]
struct Keepalive {
    /// The task's queued bit as a snapshot read it (`None`: not read).
    woken: Option<bool>,
    /// How long ago the stop was sent, in ms.
    sent_ms_ago: u64,
    /// The stop channel's flavor.
    flavor: &'static str,
}

const STUCK: Keepalive = Keepalive {
    woken: Some(false),
    sent_ms_ago: 3_000,
    flavor: "oneshot",
};

/// A plain task `keepalive` that awaits its own `JoinHandle` while its
/// receive on `keepalive-stop` holds the stop it sent itself.
fn keepalive(k: Keepalive) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let task = d.plain_task("keepalive");
    d.node(task).attr("waker_clones", 2);
    if let Some(woken) = k.woken {
        d.node(task).attr("woken", woken);
    }
    let stop = d.channel("keepalive-stop", k.flavor, 0, 1);
    d.node(stop)
        .attr("len", 1)
        .attr("closed", true)
        .attr("last_send_ms", k.sent_ms_ago);
    d.hold(stop, task, "receiver").attr("evidence", "used");
    d.wait(task, stop, "recv").attr("queued", 1);
    d.wait(task, task, "join");
    d.build()
}

#[test]
fn a_task_joining_itself_beside_a_stop_it_left_unread_is_a_certain_deadlock() {
    let report = analyze(&[keepalive(STUCK)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["keepalive"]);
    assert_eq!(dl.certainty, Certainty::Certain);
    assert!(dl.resources.is_empty(), "{}", dl.text);
}

#[test]
fn a_task_woken_since_may_still_take_the_message() {
    let woken = Keepalive {
        woken: Some(true),
        ..STUCK
    };
    assert_no_deadlock(&analyze(&[keepalive(woken)]));
}

#[test]
fn a_message_younger_than_the_settle_time_may_not_have_been_polled_for_yet() {
    let fresh = Keepalive {
        sent_ms_ago: 20,
        ..STUCK
    };
    assert_no_deadlock(&analyze(&[keepalive(fresh)]));
}

#[test]
fn a_plain_task_whose_queued_bit_was_not_read_is_not_judged() {
    let unread = Keepalive {
        woken: None,
        ..STUCK
    };
    assert_no_deadlock(&analyze(&[keepalive(unread)]));
}

#[test]
fn a_broadcast_backlog_may_be_another_receivers() {
    let broadcast = Keepalive {
        flavor: "broadcast",
        ..STUCK
    };
    assert_no_deadlock(&analyze(&[keepalive(broadcast)]));
}

/// A peeps task `main`, pending since its latest poll ended 1 s ago,
/// holds mutex `m` and waits to lock it again, while a receive on `events`
/// it pinned earlier has messages queued `sent_ms_ago`.
fn relock_beside_receive(sent_ms_ago: u64) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let main = d.task("main");
    d.node(main)
        .state("pending", 1_000)
        .attr("waker_clones", 2)
        .attr("waker_clones_accounted", 2);
    let events = d.channel("events", "mpsc", 1, 1);
    d.node(events)
        .attr("len", 2)
        .attr("last_send_ms", sent_ms_ago);
    d.wait(main, events, "recv").attr("queued", 1);
    let m = d.mutex("m");
    d.node(m).attr("holders", 1).attr("waiters", 1);
    d.hold(m, main, "guard");
    d.wait(main, m, "lock").attr("queued", 1);
    d.build()
}

#[test]
fn a_receive_left_unread_by_a_peeps_task_is_no_way_out_of_its_relock() {
    let report = analyze(&[relock_beside_receive(2_000)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["main"]);
    assert_eq!(dl.certainty, Certainty::Certain);
}

#[test]
fn a_receive_whose_message_just_came_is_a_way_out_of_the_relock() {
    assert_no_deadlock(&analyze(&[relock_beside_receive(5)]));
}

/// A plain task `uploader` holds `upload-stats` across a timer (a clone of
/// its waker peeps sees only in the count); it has a stale receive on mpsc
/// `feed-rare` and a live one on `feed-empty`, whose sender `reporter`
/// holds while it waits for `upload-stats`. `clones` of the uploader's
/// waker are alive.
fn uploader(clones: u64) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let up = d.plain_task("uploader");
    d.node(up).attr("waker_clones", clones).attr("woken", false);
    let rare = d.channel("feed-rare", "mpsc", 1, 1);
    d.node(rare).attr("len", 1).attr("last_send_ms", 5_000);
    d.hold(rare, up, "receiver").attr("evidence", "used");
    d.wait(up, rare, "recv").attr("queued", 1);
    let empty = d.channel("feed-empty", "mpsc", 1, 1);
    d.hold(empty, up, "receiver").attr("evidence", "used");
    d.wait(up, empty, "recv").attr("queued", 1);
    let reporter = d.task("reporter");
    d.hold(empty, reporter, "sender").attr("evidence", "used");
    let stats = d.mutex("upload-stats");
    d.node(stats).attr("holders", 1).attr("waiters", 1);
    d.hold(stats, up, "guard");
    d.wait(reporter, stats, "lock").attr("queued", 1);
    d.build()
}

#[test]
fn a_stale_mpsc_receive_holds_no_clone_so_a_timer_beside_it_is_seen() {
    // Two clones: the live receive's and the timer's (tokio's send took
    // the stale receive's to wake it).
    assert_no_deadlock(&analyze(&[uploader(2)]));
}

#[test]
fn with_no_clone_beyond_its_live_receive_the_uploader_is_in_the_cycle() {
    let report = analyze(&[uploader(1)]);
    let dl = only_deadlock(&report);
    let mut names = task_names(dl);
    names.sort();
    assert_eq!(names, ["reporter", "uploader"]);
}

#[test]
fn a_peeps_task_pending_since_before_the_send_may_be_starting_the_poll_that_takes_it() {
    // Its latest poll ended 1 s ago, the message came 600 ms ago: the send
    // woke it; a poll beginning now has cleared its flag.
    assert_no_deadlock(&analyze(&[relock_beside_receive(600)]));
}
