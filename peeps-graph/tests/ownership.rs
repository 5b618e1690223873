//! Who holds a handle that can move, on hand-built graphs: what each
//! `evidence` of a `held_by` edge lets the analysis conclude (see
//! `peeps_graph::Evidence` and docs/ownership.md).

mod support;

use peeps_graph::analysis::{Certainty, Report};
use peeps_graph::{Evidence, NodeKind, TaskCensus};
use support::*;

/// `a` waits to receive on `to-a`, whose only sender is held by `b` with
/// `evidence` (and `in_state`); `b` waits to receive on `to-b`, whose only
/// sender `a` used from its own state.
fn receive_cycle(evidence: &str, in_state: bool) -> Report {
    analyze(&[receive_cycle_dump(evidence, in_state)])
}

/// The snapshot [`receive_cycle`] analyses.
fn receive_cycle_dump(evidence: &str, in_state: bool) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let ca = d.channel("to-a", "mpsc", 1, 1);
    let cb = d.channel("to-b", "mpsc", 1, 1);
    let held = d.hold(ca, b, "sender").evidence(evidence);
    if in_state {
        held.in_state();
    }
    d.hold(cb, a, "sender").evidence("used");
    d.wait(a, ca, "recv");
    d.wait(b, cb, "recv");
    d.build()
}

#[test]
fn a_handle_known_only_by_its_maker_releases_nothing() {
    assert_no_deadlock(&receive_cycle("made", false));
    assert_no_deadlock(&receive_cycle("shared", false));
}

/// A receive whose sender its maker was never seen to let go is a long
/// wait that says so (it is not nowhere: the maker may still have it, in a
/// `Vec` behind an `Arc`) while that maker is blocked with nothing else to
/// wake it: on a join or a lock, for any channel; waiting for work itself
/// (a hub at its inbox: the sender most likely filed for a subscriber),
/// for a oneshot reply only. Nothing while the maker runs or a timer may
/// wake it.
#[test]
fn a_receive_on_a_sender_its_blocked_maker_never_let_go_is_a_long_wait() {
    for (maker, flavor, long) in [
        ("joining", "mpsc", true),
        ("at-inbox", "mpsc", false),
        ("at-inbox", "oneshot", true),
        ("running", "mpsc", false),
        ("sleeping", "oneshot", false),
    ] {
        let mut d = Dump::new("svc");
        let a = d.task("a");
        let b = d.task(maker);
        match maker {
            "joining" => {
                d.wait(b, a, "join");
            }
            "at-inbox" => {
                let inbox = d.channel("inbox", "mpsc", 1, 1);
                d.hold(inbox, a, "sender").evidence("used").in_state();
                d.wait(b, inbox, "recv");
            }
            "running" => {
                d.node(b).state("polling", 10);
            }
            _ => {
                d.node(b).attr("waker_clones_accounted", 0);
            }
        }
        let ca = d.channel("to-a", flavor, 1, 1);
        d.hold(ca, b, "sender").evidence("made");
        d.wait(a, ca, "recv");
        let report = analyze(&[d.build()]);
        assert_no_deadlock(&report);
        let on_a: Vec<_> = report
            .long_waits
            .iter()
            .filter(|l| l.waits_on.name == "to-a")
            .collect();
        if !long {
            assert!(on_a.is_empty(), "{maker} {flavor}: {}", report.text());
            continue;
        }
        assert_eq!(on_a.len(), 1, "{maker} {flavor}: {}", report.text());
        let words = format!(
            r#"its sender was made by task "{maker}" (src/{maker}.rs:2): peeps has not seen where it went since"#
        );
        assert!(
            on_a[0].text.contains(&words),
            "{}\nwanted: {words}",
            on_a[0].text
        );
    }
}

#[test]
fn a_handle_found_in_its_holders_state_is_proven() {
    for evidence in ["made", "spawned", "received", "returned", "shared"] {
        let report = receive_cycle(evidence, true);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, Certainty::Certain, "{evidence}: {}", d.text);
        let step = d.cycle.iter().find(|s| s.task.name == "a").unwrap();
        assert_eq!(step.held_by.name, "b");
        assert!(step.confirmed && step.in_state);
        assert_eq!(step.evidence, Evidence::parse(evidence));
    }
    let report = receive_cycle("made", true);
    assert!(
        only_deadlock(&report)
            .text
            .contains(r#"sender held by task "b" (made there, still in its state, src/b.rs:2)"#),
        "{}",
        report.text()
    );
}

/// A move peeps saw into `b`, with the handle no longer in `b`'s state:
/// `b` handed it on where peeps cannot see (a plain `tokio::spawn` task, a
/// `spawn_blocking` closure, a thread) or filed it on the heap. Those look
/// the same, and the first is the healthy request/reply of most servers:
/// no holder, no deadlock.
#[test]
fn a_move_peeps_saw_without_the_handle_in_state_releases_nothing() {
    for evidence in ["spawned", "received", "returned"] {
        let report = receive_cycle(evidence, false);
        assert_no_deadlock(&report);
    }
}

#[test]
fn a_hold_that_may_have_moved_on_beside_a_proven_one_leaves_the_wait_open() {
    // `to-a` has two senders, both held by b as far as peeps saw: one
    // proven, one received and no longer in b's state — wherever that one
    // is now may send.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let ca = d.channel("to-a", "mpsc", 2, 1);
    let cb = d.channel("to-b", "mpsc", 1, 1);
    d.hold(ca, b, "sender").evidence("received");
    d.hold(ca, b, "sender").evidence("used");
    d.hold(cb, a, "sender").evidence("used");
    d.wait(a, ca, "recv");
    d.wait(b, cb, "recv");
    assert_no_deadlock(&analyze(&[d.build()]));
}

/// `worker` and `other` deadlock on two mutexes; `requester` awaits a
/// oneshot whose sender travels in a job on channel `jobs`, which `worker`
/// receives from (`receiver_evidence`).
fn requester_behind_a_job(receiver_evidence: &str, jobs_closed: bool) -> Report {
    let mut d = Dump::new("svc");
    let worker = d.task("worker");
    let other = d.task("other");
    let requester = d.task("requester");
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, worker, "guard");
    d.hold(m2, other, "guard");
    d.wait(worker, m2, "lock");
    d.wait(other, m1, "lock");
    let jobs = d.channel("jobs", "mpsc", 1, 1);
    d.node(jobs).attr("len", 1).attr("closed", jobs_closed);
    let reply = d.channel("reply", "oneshot", 1, 1);
    d.hold(reply, jobs, "sender").evidence("in_message");
    d.hold(reply, requester, "receiver").evidence("used");
    d.hold(jobs, worker, "receiver").evidence(receiver_evidence);
    d.hold(jobs, requester, "sender").evidence("used");
    d.wait(requester, reply, "recv");
    analyze(&[d.build()])
}

#[test]
fn a_handle_in_an_unread_message_waits_for_whoever_reads_that_channel() {
    let report = requester_behind_a_job("used", false);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["other", "worker"]);
    assert_eq!(dl.behind.len(), 1, "{}", dl.text);
    let step = &dl.behind[0];
    assert_eq!(step.task.name, "requester");
    assert_eq!(step.held_by.name, "worker");
    assert_eq!(step.carrier.as_ref().map(|c| c.name.as_str()), Some("jobs"));
    assert_eq!(step.evidence, Some(Evidence::InMessage));
    assert!(
        dl.text.contains(
            r#"sender inside an unread message on channel "jobs" (made at src/jobs.rs:6), whose receiver is held by task "worker""#
        ),
        "{}",
        dl.text
    );
}

#[test]
fn a_message_whose_reader_peeps_cannot_place_or_that_will_be_dropped_is_not_stuck() {
    for report in [
        requester_behind_a_job("made", false),
        requester_behind_a_job("used", true),
    ] {
        let dl = only_deadlock(&report);
        assert!(dl.behind.is_empty(), "{}", dl.text);
        assert!(report.stuck_forever.is_empty());
    }
}

#[test]
fn a_long_wait_on_an_unplaced_hold_says_whose_it_was_last_seen_to_be() {
    for (evidence, words) in [
        (
            "made",
            r#"its permit was taken by task "pool" (src/pool.rs:2): peeps has not seen where it went since"#,
        ),
        (
            "shared",
            r#"its permit was last used by task "pool" (src/pool.rs:2): it may be shared: it was used by several tasks, or from memory outside its user's own state"#,
        ),
    ] {
        let mut d = Dump::new("svc");
        let q = d.task("query");
        let pool = d.task("pool");
        let s = d.resource(NodeKind::Semaphore, "conns");
        d.hold(s, pool, "permit").evidence(evidence);
        d.wait(q, s, "acquire");
        let report = analyze(&[d.build()]);
        assert_no_deadlock(&report);
        assert_eq!(report.long_waits.len(), 1, "{}", report.text());
        let text = &report.long_waits[0].text;
        assert!(text.contains(words), "{text}\nwanted: {words}");
    }
}

/// A handle published on a watch (held by that channel, `shared`): no
/// deadlock with the task that made and used it; a long wait on it says
/// where it is.
#[test]
fn a_sender_published_on_a_watch_is_anyones() {
    let mut d = Dump::new("svc");
    let supervisor = d.task("log-supervisor");
    let shipper = d.task("log-shipper");
    let lines = d.channel("log-lines", "mpsc", 1, 1);
    let sink = d.channel("log-sink", "watch", 1, 1);
    d.hold(lines, shipper, "receiver");
    d.hold(lines, sink, "sender").evidence("shared");
    d.wait(shipper, lines, "recv");
    d.wait(supervisor, shipper, "join");
    let report = analyze(&[d.build()]);
    assert_no_deadlock(&report);
    // An idle receiver: no long wait either.
    assert!(report.long_waits.is_empty(), "{}", report.text());

    // An owned permit published so: a long wait that says where it is.
    let mut d = Dump::new("svc");
    let q = d.task("query");
    let s = d.resource(NodeKind::Semaphore, "conns");
    let sink = d.channel("lease", "watch", 1, 1);
    d.hold(s, sink, "permit").evidence("shared");
    d.wait(q, s, "acquire");
    let report = analyze(&[d.build()]);
    assert_no_deadlock(&report);
    assert_eq!(report.long_waits.len(), 1, "{}", report.text());
    let text = &report.long_waits[0].text;
    let words = r#"its permit was published on channel "lease""#;
    assert!(text.contains(words), "{text}\nwanted: {words}");
}

/// The cycle of [`receive_cycle_dump`] in a process that runs `unseen`
/// tokio tasks peeps cannot see into.
fn receive_cycle_beside(evidence: &str, in_state: bool, unseen: u64) -> Report {
    let mut snap = receive_cycle_dump(evidence, in_state);
    snap.tasks = Some(TaskCensus {
        alive: 2 + unseen,
        unseen,
        ..TaskCensus::default()
    });
    analyze(&[snap])
}

/// A use proves where a handle was, and a mark in a state may be the bytes
/// it was moved out of: a move into a task peeps cannot see into (plain
/// `tokio::spawn`) leaves no trace. While such a task runs, neither is
/// proof; once none does, both are again.
#[test]
fn a_used_or_found_handle_proves_nothing_while_unseen_tasks_run() {
    for (evidence, in_state) in [
        ("used", false),
        ("used", true),
        ("made", true),
        ("spawned", true),
    ] {
        assert_no_deadlock(&receive_cycle_beside(evidence, in_state, 1));
        let report = receive_cycle_beside(evidence, in_state, 0);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, Certainty::Certain, "{evidence}: {}", d.text);
    }
}

/// Threads peeps cannot see into (a `std::thread`, a `spawn_blocking`
/// thread) are places a handle may have gone as unseen tasks are.
#[test]
fn a_used_or_found_handle_proves_nothing_while_unseen_threads_run() {
    for (evidence, in_state) in [("used", false), ("used", true), ("made", true)] {
        let mut snap = receive_cycle_dump(evidence, in_state);
        snap.tasks = Some(TaskCensus {
            alive: 2,
            unseen: 0,
            threads: 6,
            unseen_threads: 1,
            ..TaskCensus::default()
        });
        assert_no_deadlock(&analyze(&[snap.clone()]));
        snap.tasks = Some(TaskCensus {
            alive: 2,
            unseen: 0,
            threads: 5,
            unseen_threads: 0,
            ..TaskCensus::default()
        });
        let report = analyze(&[snap]);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, Certainty::Certain, "{evidence}: {}", d.text);
    }
}

/// What the long wait says of such a hold: who it was last seen with, and
/// why that is no proof.
#[test]
fn a_handle_that_may_have_moved_unseen_is_said_so() {
    let mut d = Dump::new("svc");
    let uploader = d.task("uploader");
    let slots = d.resource(NodeKind::Semaphore, "slots");
    d.hold(slots, uploader, "permit")
        .evidence("made")
        .in_state();
    d.wait(uploader, slots, "acquire");
    let mut snap = d.build();
    snap.tasks = Some(TaskCensus {
        alive: 2,
        unseen: 1,
        ..TaskCensus::default()
    });
    let words = |snap: &peeps_graph::Snapshot| {
        let report = analyze(std::slice::from_ref(snap));
        assert_no_deadlock(&report);
        assert_eq!(report.long_waits.len(), 1, "{}", report.text());
        report.long_waits[0].text.clone()
    };
    let text = words(&snap);
    assert!(
        text.contains(
            r#"its permit was last seen with task "uploader": tasks peeps cannot see into are alive (spawned with tokio::spawn), and it may have been moved into one of them since"#
        ),
        "{text}"
    );
    snap.tasks = Some(TaskCensus {
        alive: 1,
        unseen: 0,
        threads: 3,
        unseen_threads: 2,
        ..TaskCensus::default()
    });
    let text = words(&snap);
    assert!(
        text.contains(
            r#"its permit was last seen with task "uploader": threads peeps cannot see into are alive (std::thread, spawn_blocking, another runtime), and it may have been moved into one of them since"#
        ),
        "{text}"
    );
    snap.tasks = Some(TaskCensus {
        alive: 2,
        unseen: 1,
        threads: 3,
        unseen_threads: 2,
        ..TaskCensus::default()
    });
    let text = words(&snap);
    assert!(
        text.contains(
            r#"tasks peeps cannot see into are alive (spawned with tokio::spawn), and threads (std::thread, spawn_blocking), and it may"#
        ),
        "{text}"
    );
}

/// A lock guard is bound to the task that took it, and a handle inside an
/// unread message is held by its channel: tasks peeps cannot see into
/// change neither.
#[test]
fn a_guard_stays_proof_beside_unseen_tasks() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    let mut snap = d.build();
    snap.tasks = Some(TaskCensus {
        alive: 7,
        unseen: 5,
        ..TaskCensus::default()
    });
    let report = analyze(&[snap]);
    assert_eq!(only_deadlock(&report).certainty, Certainty::Certain);
}

/// A receive is no stall, but a task waiting to receive on a channel whose
/// sender was last seen with a blocked task (itself: the coordinator that
/// kept its own, or a healthy one that moved it into a task peeps cannot
/// see into; or another task that waits too) is a long wait that says so;
/// a sender last seen with a task that runs, or that a timer may wake (an
/// idle producer), is not.
#[test]
fn a_receive_on_a_sender_last_seen_with_a_blocked_task_is_a_long_wait() {
    for holder in ["pump", "waiting", "running", "sleeping"] {
        let mut d = Dump::new("svc");
        let pump = d.task("pump");
        let waiting = d.task("waiting");
        let running = d.task("running");
        let sleeping = d.task("sleeping");
        d.node(sleeping).attr("waker_clones_accounted", 0);
        d.node(running).state("polling", 10);
        let gate = d.mutex("gate");
        d.hold(gate, running, "guard");
        d.wait(waiting, gate, "lock").age(1);
        let ticks = d.channel("ticks", "mpsc", 1, 1);
        let id = match holder {
            "pump" => pump,
            "waiting" => waiting,
            "running" => running,
            _ => sleeping,
        };
        d.hold(ticks, id, "sender").evidence("used").in_state();
        d.hold(ticks, pump, "receiver").evidence("used");
        d.wait(pump, ticks, "recv");
        let mut snap = d.build();
        snap.tasks = Some(TaskCensus {
            alive: 4,
            unseen: 1,
            ..TaskCensus::default()
        });
        let report = analyze(&[snap]);
        assert_no_deadlock(&report);
        let on_ticks: Vec<_> = report
            .long_waits
            .iter()
            .filter(|l| l.waits_on.name == "ticks")
            .collect();
        if holder == "running" || holder == "sleeping" {
            assert!(on_ticks.is_empty(), "{}", report.text());
            continue;
        }
        assert_eq!(on_ticks.len(), 1, "{holder}: {}", report.text());
        let at = if holder == "pump" {
            ""
        } else {
            " (src/waiting.rs:2)"
        };
        let words = format!(
            r#"its sender was last seen with task "{holder}"{at}: tasks peeps cannot see into are alive"#
        );
        assert!(
            on_ticks[0].text.contains(&words),
            "{}\nwanted: {words}",
            on_ticks[0].text
        );
    }
}

/// Every sender counts: one last seen with the receiver itself and one
/// with a producer on a timer make an idle consumer, not a long wait,
/// whichever the verdict names first.
#[test]
fn a_receive_with_one_sender_on_a_timer_is_no_long_wait() {
    for producer_first in [true, false] {
        let mut d = Dump::new("svc");
        let (pump, producer) = if producer_first {
            let p = d.task("producer");
            (d.task("pump"), p)
        } else {
            let pump = d.task("pump");
            (pump, d.task("producer"))
        };
        d.node(producer).attr("waker_clones_accounted", 0);
        let ticks = d.channel("ticks", "mpsc", 2, 1);
        if producer_first {
            d.hold(ticks, producer, "sender").evidence("used");
        }
        d.hold(ticks, pump, "sender").evidence("used").in_state();
        if !producer_first {
            d.hold(ticks, producer, "sender").evidence("used");
        }
        d.hold(ticks, pump, "receiver").evidence("used");
        d.wait(pump, ticks, "recv");
        let mut snap = d.build();
        snap.tasks = Some(TaskCensus {
            alive: 3,
            unseen: 1,
            ..TaskCensus::default()
        });
        let report = analyze(&[snap]);
        assert_no_deadlock(&report);
        assert!(report.long_waits.is_empty(), "{}", report.text());
    }
}

/// The sync/async bridge: task `client` waits to send a request, thread
/// `worker` (a thread peeps cannot see into, parked in `blocking_send`)
/// to send a reply; the requests receiver was used by the worker, the
/// replies receiver is in the client's state. `unseen_threads` threads
/// peeps cannot see into are alive, the worker among them.
fn bridge(unseen_threads: u64, worker_parked: bool) -> Report {
    let mut d = Dump::new("svc");
    let client = d.task("client");
    let worker = d.thread("thread worker");
    d.node(worker).attr("unseen_thread", true);
    let requests = d.channel("requests", "mpsc", 1, 1);
    let replies = d.channel("replies", "mpsc", 1, 1);
    d.hold(requests, worker, "receiver").evidence("used");
    d.hold(requests, client, "sender")
        .evidence("used")
        .in_state();
    d.hold(replies, client, "receiver")
        .evidence("made")
        .in_state();
    d.hold(replies, worker, "sender").evidence("used");
    d.wait(client, requests, "send");
    let sent = d.wait(worker, replies, "send");
    if worker_parked {
        sent.attr("blocking_call", true);
    }
    let mut snap = d.build();
    snap.tasks = Some(TaskCensus {
        alive: 1,
        unseen: 0,
        threads: 4 + unseen_threads,
        unseen_threads,
        ..TaskCensus::default()
    });
    analyze(&[snap])
}

/// A handle may have gone to a thread peeps cannot see into; when every
/// such thread is parked in a blocking call, it is with its last holder or
/// one of them, and they act only once their own waits end: a certain
/// deadlock. Another unseen thread, or the worker not parked in a
/// blocking call (it may be running), leaves the waits open.
#[test]
fn threads_peeps_cannot_see_into_but_all_parked_release_nothing_else() {
    let report = bridge(1, true);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", d.text);
    assert_eq!(task_names(d), ["client", "thread worker"]);
    assert_no_deadlock(&bridge(2, true));
    assert_no_deadlock(&bridge(1, false));
}

/// The bridge of the same shape between two tasks: `client` waits to send
/// a request; `worker`, a plain tokio task, waits to send a reply, with
/// `clones` clones of its waker alive (`None`: not counted). The requests
/// receiver was used by the worker, the replies receiver is in the
/// client's state. `unseen` tokio tasks peeps cannot see into are alive,
/// the worker among them. With `sleeper`, a peeps task sleeps beside them
/// (a clone of its waker no wait accounts for: a timer).
fn plain_bridge(unseen: u64, clones: Option<u64>, sleeper: bool) -> Report {
    let mut d = Dump::new("svc");
    let client = d.task("client");
    let worker = d.plain_task("worker");
    if sleeper {
        let warmer = d.task("cache-warmer");
        d.node(warmer).attr("waker_clones_accounted", 0);
    }
    if let Some(c) = clones {
        d.node(worker).attr("waker_clones", c);
    }
    let requests = d.channel("requests", "mpsc", 1, 1);
    let replies = d.channel("replies", "mpsc", 1, 1);
    d.hold(requests, worker, "receiver").evidence("used");
    d.hold(requests, client, "sender")
        .evidence("used")
        .in_state();
    d.hold(replies, client, "receiver")
        .evidence("made")
        .in_state();
    d.hold(replies, worker, "sender").evidence("used");
    d.wait(client, requests, "send");
    d.wait(worker, replies, "send");
    analyze_with_unseen_tasks(&d, 1 + unseen, unseen)
}

/// A handle may have gone into a plain tokio task; when every such task is
/// waiting with no clone of its waker beyond its waits (peeps counts
/// tokio's task waker), it runs again only once a wait ends: the handle
/// is with its last holder or one of them, a deadlock. Another unseen
/// task, a clone beyond the wait (a timer), or a waker not counted leaves
/// the waits open; so does any task that may run on its own (a sleeper,
/// which could take the handle from memory peeps does not read: a
/// `std::sync::Mutex` slot, hunt30's
/// `soak_startup_gate_sender_in_shared_slot_plain`).
#[test]
fn plain_tasks_peeps_cannot_see_into_but_all_waiting_release_nothing_else() {
    let report = plain_bridge(1, Some(1), false);
    let d = only_deadlock(&report);
    assert_eq!(task_names(d), ["client", "worker"], "{}", d.text);
    assert_eq!(d.certainty, Certainty::Certain, "{}", d.text);
    assert_no_deadlock(&plain_bridge(2, Some(1), false));
    assert_no_deadlock(&plain_bridge(1, Some(2), false));
    assert_no_deadlock(&plain_bridge(1, None, false));
    assert_no_deadlock(&plain_bridge(1, Some(1), true));
}

/// A router `r` received the reply sender of `api`'s call in a message on
/// `inbox` (`from`), and the sender's mark is in its state; `api` waits on
/// the reply and holds `inbox`'s only sender. When `r` waits on `inbox`
/// again, the message was handled: the find may be the bytes of a sender
/// filed in a map (the everyday router and connection writer), so no
/// deadlock, and the long wait says where it came from. When `r` waits on
/// something else (a lock `api` holds) in the middle of handling it, the
/// find is proof. A stream's sender filed by a hub (`reply_flavor`
/// `mpsc`) is an idle subscriber's: no long wait.
fn router(back_at_inbox: bool, reply_flavor: &str) -> Report {
    let mut d = Dump::new("svc");
    let api = d.task("api");
    let r = d.task("router");
    let inbox = d.channel("inbox", "mpsc", 1, 1);
    let reply = d.channel("reply", reply_flavor, 1, 1);
    d.hold(reply, r, "sender")
        .evidence("received")
        .in_state()
        .attr("from", inbox);
    d.hold(inbox, api, "sender").evidence("used").in_state();
    d.hold(reply, api, "receiver").evidence("used");
    d.hold(inbox, r, "receiver").evidence("used");
    d.wait(api, reply, "recv").age(5_000);
    if back_at_inbox {
        d.wait(r, inbox, "recv");
    } else {
        let session = d.mutex("session");
        d.hold(session, api, "guard");
        d.wait(r, session, "lock");
    }
    analyze_in_census(&d, 2)
}

#[test]
fn a_received_handle_found_in_a_router_back_at_that_channel_proves_nothing() {
    let report = router(true, "mpsc");
    assert_no_deadlock(&report);
    assert!(report.long_waits.is_empty(), "{}", report.text());

    let report = router(true, "oneshot");
    assert_no_deadlock(&report);
    let waits: Vec<_> = report
        .long_waits
        .iter()
        .filter(|l| l.task.name == "api")
        .collect();
    assert_eq!(waits.len(), 1, "{}", report.text());
    for words in [
        r#"its sender was received by task "router" (src/router.rs:2) in a message from channel "inbox""#,
        "which it now waits to receive from again: that message was handled",
    ] {
        assert!(
            waits[0].text.contains(words),
            "{}\nwanted: {words}",
            waits[0].text
        );
    }

    let report = router(false, "oneshot");
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", d.text);
    assert_eq!(task_names(d), ["api", "router"]);
}

/// `caller` waits to receive from `flavor` channel `reply`, whose only
/// sender it made and never used (`made`), its mark in its own state
/// (`in_state`), or used (`used`): the RPC client that files its reply
/// sender in a pending map leaves the same bytes as one that kept it.
fn self_wait(flavor: &str, evidence: &str) -> Report {
    let mut d = Dump::new("svc");
    let caller = d.task("caller");
    let reply = d.channel("reply", flavor, 1, 1);
    d.hold(reply, caller, "sender")
        .evidence(evidence)
        .in_state();
    d.hold(reply, caller, "receiver").evidence("used");
    d.wait(caller, reply, "recv").age(5_000);
    analyze_in_census(&d, 1)
}

#[test]
fn a_sender_its_maker_never_used_and_waits_on_proves_nothing() {
    let report = self_wait("oneshot", "made");
    assert_no_deadlock(&report);
    assert_eq!(report.long_waits.len(), 1, "{}", report.text());
    let words = r#"its sender was found in the state of task "caller": that task waits on the same channel, and one that kept it would wait on itself"#;
    assert!(
        report.long_waits[0].text.contains(words),
        "{}",
        report.text()
    );
    // A stream's: an idle consumer, nothing to say. Nor when others used
    // it from shared memory (a hub's table) and the bytes are the waiter's.
    for evidence in ["made", "shared"] {
        let report = self_wait("mpsc", evidence);
        assert_no_deadlock(&report);
        assert!(report.long_waits.is_empty(), "{}", report.text());
    }
    // One it used (a send, a clone for its workers) is proof: the
    // coordinator that forgot to drop its sender.
    let report = self_wait("mpsc", "used");
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", d.text);
    assert_eq!(task_names(d), ["caller"]);
}

/// `worker` waits for a permit of `pool-slots` (one permit), whose only
/// permit it took and peeps found in its state; `closer` is running. When
/// `moved_unseen` names `closer`, a permit of that semaphore was let go
/// before by `closer`, which peeps never saw it move to.
fn kept_permit(moved_unseen: bool) -> Report {
    let mut d = Dump::new("svc");
    let worker = d.task("worker");
    let closer = d.task("closer");
    d.node(closer).state("running", 0);
    let slots = d.resource(NodeKind::Semaphore, "pool-slots");
    d.node(slots).attr("permits", 1).attr("available", 0);
    if moved_unseen {
        d.node(slots).attr("moved_unseen", closer);
    }
    d.hold(slots, worker, "permit").evidence("made").in_state();
    d.wait(worker, slots, "acquire").age(5_000);
    analyze_in_census(&d, 2)
}

/// A pool that retires a broken connection (its owned permit inside) to
/// a shared list a closer empties: the permit's bytes stay in the
/// worker's state while it waits for a fresh one. Once peeps saw a permit
/// of that semaphore let go by a task it never saw it move to, a find in
/// a state is no proof; before, a kept permit is a self-deadlock.
#[test]
fn a_find_of_a_handle_whose_kind_moved_unseen_before_proves_nothing() {
    let report = kept_permit(false);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", d.text);
    assert_eq!(task_names(d), ["worker"]);

    let report = kept_permit(true);
    assert_no_deadlock(&report);
    assert_eq!(report.long_waits.len(), 1, "{}", report.text());
    let words = r#"its permit was found in the state of task "worker": one of its kind was let go before by a task peeps never saw it move to"#;
    assert!(
        report.long_waits[0].text.contains(words),
        "{}",
        report.text()
    );
}

/// Workers share a job queue's receiver as `Arc<Mutex<Receiver>>`:
/// `worker-1` holds the queue's lock (a `while let` scrutinee guard) and
/// waits to send a follow-up into the full channel; `worker-2` waits for
/// the lock. The receiver is `shared` (used from the `Arc`), every use
/// made under `job-queue` (`guarded_by`) when `guarded`.
fn shared_receiver_under_lock(guarded: bool, lock_held: bool) -> Report {
    let mut d = Dump::new("svc");
    let w1 = d.task("worker-1");
    let w2 = d.task("worker-2");
    let jobs = d.channel("crawl-jobs", "mpsc", 2, 1);
    let queue = d.mutex("job-queue");
    let rx = d.hold(jobs, w1, "receiver").evidence("shared");
    if guarded {
        rx.attr("guarded_by", queue);
    }
    d.hold(jobs, w1, "sender").evidence("used").in_state();
    d.hold(jobs, w2, "sender").evidence("used").in_state();
    d.wait(w1, jobs, "send");
    if lock_held {
        d.hold(queue, w1, "guard");
        d.wait(w2, queue, "lock");
    }
    analyze_in_census(&d, 2)
}

#[test]
fn a_shared_handle_used_only_under_a_lock_is_released_by_that_locks_holder() {
    let report = shared_receiver_under_lock(true, true);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Probable, "{}", d.text);
    assert_eq!(task_names(d), ["worker-1"]);
    let step = &d.cycle[0];
    assert_eq!(step.held_by.name, "worker-1");
    assert_eq!(
        step.guarded_by.as_ref().map(|l| l.name.as_str()),
        Some("job-queue")
    );
    assert!(!step.confirmed);
    assert!(
        d.text.contains(r#"receiver shared, used only under mutex "job-queue" (made at src/job-queue.rs:4) as far as peeps saw, whose guard is held by task "worker-1""#),
        "{}",
        d.text
    );
    // Nobody holds the lock: whoever takes it next may receive.
    assert_no_deadlock(&shared_receiver_under_lock(true, false));
    // No lock seen around its uses: shared, nobody to name.
    assert_no_deadlock(&shared_receiver_under_lock(false, true));
}

/// The analysis of `d`'s snapshot, its census counting `alive` tasks, of
/// which `unseen` are tasks peeps cannot see into (plain `tokio::spawn`),
/// and no thread peeps cannot see into.
fn analyze_with_unseen_tasks(d: &Dump, alive: u64, unseen: u64) -> Report {
    let mut snap = d.build();
    snap.tasks = Some(TaskCensus {
        alive,
        unseen,
        threads: 4,
        unseen_threads: 0,
        ..TaskCensus::default()
    });
    analyze(&[snap])
}

/// The analysis of `d`'s snapshot, its census counting `alive` tasks, all
/// of them peeps can see into.
fn analyze_in_census(d: &Dump, alive: u64) -> Report {
    let mut snap = d.build();
    snap.tasks = Some(TaskCensus {
        alive,
        ..TaskCensus::default()
    });
    analyze(&[snap])
}

/// build-trust/ockam#1853: a plain worker awaits a reply whose sender is
/// in an unread message on its own mailbox, whose receiver it keeps where
/// peeps cannot read it (`shared`: a `Box`, a future tokio boxed). No
/// deadlock rests on a shared hold, but the wait does not vanish: a
/// oneshot reply awaited that long is a long wait. A stream's is not.
#[test]
fn a_reply_in_an_unread_message_on_a_shared_mailbox_is_a_long_wait() {
    for (flavor, long) in [("oneshot", true), ("mpsc", false)] {
        let mut d = Dump::new("svc");
        let worker = d.plain_task("worker");
        let mailbox = d.channel("mailbox", "mpsc", 1, 1);
        d.node(mailbox).attr("len", 1);
        let reply = d.channel("reply", flavor, 1, 1);
        d.hold(reply, mailbox, "sender").evidence("in_message");
        d.hold(mailbox, worker, "receiver").evidence("shared");
        d.hold(mailbox, worker, "sender").evidence("shared");
        d.wait(worker, reply, "recv");
        let report = analyze(&[d.build()]);
        assert_no_deadlock(&report);
        let on_reply = report
            .long_waits
            .iter()
            .filter(|l| l.waits_on.name == "reply")
            .count();
        assert_eq!(on_reply, usize::from(long), "{flavor}: {}", report.text());
    }
}

/// A restarted actor's inbox sender kept in the `current-inbox` lock (put
/// there by the supervisor, which joins the actor): `shared`, held by the
/// lock. Nobody holds the lock: whoever takes it next may send, so no
/// deadlock, and a long wait on the inbox says where its sender is. A
/// task holding the lock while it waits for the actor: a probable
/// deadlock, through the lock's guard.
fn kept_inbox(lock_held_by_supervisor: bool) -> Report {
    let mut d = Dump::new("svc");
    let supervisor = d.task("supervisor");
    let actor = d.task("kv-actor");
    let inbox = d.channel("kv-inbox", "mpsc", 1, 1);
    let current = d.resource(NodeKind::Rwlock, "current-inbox");
    d.hold(inbox, actor, "receiver").evidence("used").in_state();
    d.hold(inbox, current, "sender").evidence("shared");
    d.wait(actor, inbox, "recv");
    d.wait(supervisor, actor, "join");
    if lock_held_by_supervisor {
        d.hold(current, supervisor, "guard");
    }
    analyze_in_census(&d, 2)
}

#[test]
fn a_sender_kept_in_a_lock_is_released_by_whoever_holds_it() {
    let report = kept_inbox(false);
    assert_no_deadlock(&report);
    assert!(report.stuck_forever.is_empty(), "{}", report.text());

    let report = kept_inbox(true);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Probable, "{}", d.text);
    assert_eq!(task_names(d), ["kv-actor", "supervisor"]);
    let step = d
        .cycle
        .iter()
        .find(|s| s.task.name == "kv-actor")
        .expect("the actor's step");
    assert_eq!(step.held_by.name, "supervisor");
    assert!(step.kept, "{}", d.text);
    let words = r#"sender kept in rwlock "current-inbox""#;
    assert!(d.text.contains(words), "{}\nwanted: {words}", d.text);
}

/// An owned permit kept in a `lease` mutex nobody holds, a query waiting
/// for a permit: a long wait that says where the permit is.
#[test]
fn a_long_wait_on_a_permit_kept_in_a_lock_says_so() {
    let mut d = Dump::new("svc");
    let q = d.task("query");
    let conns = d.resource(NodeKind::Semaphore, "conns");
    let lease = d.mutex("lease");
    d.hold(conns, lease, "permit").evidence("shared");
    d.wait(q, conns, "acquire");
    let report = analyze_in_census(&d, 1);
    assert_no_deadlock(&report);
    assert_eq!(report.long_waits.len(), 1, "{}", report.text());
    let text = &report.long_waits[0].text;
    let words = r#"its permit was kept in mutex "lease""#;
    assert!(text.contains(words), "{text}\nwanted: {words}");
}

/// rumqtt#263's shape: `main` waits to send on `requests`, whose receiver
/// it used itself (its own event loop); a plain publisher task, the one
/// unseen task, waits to send there too, its waker held by that wait
/// alone. The receiver may have gone into the publisher (a guess), but
/// `main` waiting on itself is proved: a certain deadlock of `main` alone,
/// the publisher behind it, not a member.
#[test]
fn a_guessed_holder_waiting_on_a_proved_cycle_is_behind_it() {
    let mut d = Dump::new("svc");
    let main = d.thread("main");
    d.node(main).attr("waker_clones", 1);
    let publisher = d.plain_task("publisher");
    d.node(publisher).attr("waker_clones", 1);
    let requests = d.channel("requests", "mpsc", 2, 1);
    d.hold(requests, main, "receiver").evidence("used");
    d.hold(requests, main, "sender").evidence("used");
    d.hold(requests, publisher, "sender").evidence("used");
    d.wait(main, requests, "send");
    d.wait(publisher, requests, "send");
    let report = analyze_with_unseen_tasks(&d, 1, 1);
    let d = only_deadlock(&report);
    assert_eq!(task_names(d), ["main"], "{}", report.text());
    assert_eq!(d.certainty, Certainty::Certain, "{}", report.text());
    let behind: Vec<&str> = d.behind.iter().map(|s| s.task.name.as_str()).collect();
    assert_eq!(behind, ["publisher"], "{}", report.text());
}

/// hunt34's registry: the admin, a plain task, holds `registry` for write
/// while it waits on `placement-reply`, whose sender the placement actor,
/// a plain task, received in a query and keeps while it waits to read
/// `registry`. Not found in the actor's cell (kept where a snapshot does
/// not read), the received sender is no proof; but while both plain tasks
/// wait with their wakers
/// held by their waits alone and no root may run on its own, the sender
/// is with the actor or the admin: a probable deadlock. `actor_clones`:
/// the actor's waker clones; `sleeper`: a peeps task sleeping beside.
fn placement(actor_clones: u64, sleeper: bool) -> Report {
    let mut d = Dump::new("svc");
    let admin = d.plain_task("admin");
    d.node(admin).attr("waker_clones", 1);
    let actor = d.plain_task("placement");
    d.node(actor).attr("waker_clones", actor_clones);
    if sleeper {
        let ticker = d.task("ticker");
        d.node(ticker).attr("waker_clones_accounted", 0);
    }
    let registry = d.resource(NodeKind::Rwlock, "registry");
    let reply = d.channel("placement-reply", "oneshot", 1, 1);
    d.hold(registry, admin, "write_guard");
    d.hold(reply, admin, "receiver").evidence("used");
    d.hold(reply, actor, "sender").evidence("received");
    d.wait(admin, reply, "recv");
    d.wait(actor, registry, "read");
    analyze_with_unseen_tasks(&d, 2, 2)
}

#[test]
fn a_handle_received_by_a_plain_task_that_only_its_waits_wake_is_its_guess() {
    let report = placement(1, false);
    let d = only_deadlock(&report);
    assert_eq!(task_names(d), ["admin", "placement"], "{}", report.text());
    assert_eq!(d.certainty, Certainty::Probable, "{}", report.text());
    assert_no_deadlock(&placement(2, false));
    assert_no_deadlock(&placement(1, true));
}

/// hunt34's importer: `main` waits to send on `import-jobs`, whose
/// receiver the plain worker uses from its own cell; the worker waits to
/// send on `import-progress`, whose receiver `main` made and has not used
/// yet (its `block_on` body, boxed on the heap, is not read). While the
/// worker, the one unseen task, and `main` wait with their wakers held by
/// their waits alone, the receiver is with `main` or the worker: a
/// probable deadlock. With a timer beside the worker's wait (a clone
/// more), the worker may run and take it: no deadlock.
fn importer(worker_clones: u64) -> Report {
    let mut d = Dump::new("svc");
    let main = d.thread("main");
    d.node(main).attr("waker_clones", 1);
    let worker = d.plain_task("worker");
    d.node(worker).attr("waker_clones", worker_clones);
    let jobs = d.channel("import-jobs", "mpsc", 1, 1);
    let progress = d.channel("import-progress", "mpsc", 1, 1);
    d.hold(jobs, main, "sender").evidence("used");
    d.hold(jobs, worker, "receiver").evidence("used");
    d.hold(progress, worker, "sender").evidence("used");
    d.hold(progress, main, "receiver").evidence("made");
    d.wait(main, jobs, "send");
    d.wait(worker, progress, "send");
    analyze_with_unseen_tasks(&d, 1, 1)
}

#[test]
fn a_handle_its_maker_never_used_is_its_guess_when_nothing_may_run() {
    let report = importer(1);
    let d = only_deadlock(&report);
    assert_eq!(task_names(d), ["main", "worker"], "{}", report.text());
    assert_eq!(d.certainty, Certainty::Probable, "{}", report.text());
    let words = "nothing in this process can run to take it";
    assert!(
        report.text().contains(words),
        "{}\nwanted: {words}",
        report.text()
    );
    assert_no_deadlock(&importer(2));
}
