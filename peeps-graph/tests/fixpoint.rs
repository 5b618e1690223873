//! The deadlocked set on hand-built graphs: DESIGN.md §4 case by case.

mod support;

use peeps_graph::NodeKind;
use peeps_graph::analysis::{Certainty, Options};
use support::*;

/// Two tasks, each holding the mutex the other waits for.
fn lock_inversion(d: &mut Dump, a: &str, b: &str) -> (u64, u64, u64, u64) {
    let ta = d.task(a);
    let tb = d.task(b);
    let m1 = d.mutex(&format!("{a}-lock"));
    let m2 = d.mutex(&format!("{b}-lock"));
    d.hold(m1, ta, "guard");
    d.hold(m2, tb, "guard");
    d.wait(ta, m2, "lock");
    d.wait(tb, m1, "lock");
    (ta, tb, m1, m2)
}

#[test]
fn the_documented_example_is_a_certain_deadlock() {
    let snap =
        peeps_graph::Snapshot::from_json(include_str!("../../docs/example-dump.json")).unwrap();
    let report = analyze(&[snap]);
    let d = only_deadlock(&report);
    assert_eq!(task_names(d), ["transfer-a", "transfer-b"]);
    assert_eq!(d.certainty, Certainty::Certain);
    assert!(!d.cross_process);
    let mut res: Vec<&str> = d.resources.iter().map(|r| r.name.as_str()).collect();
    res.sort();
    assert_eq!(res, ["acct-1", "acct-2"]);
    // The cycle: a waits on acct-2 held by b, b waits on acct-1 held by a.
    assert_eq!(d.cycle.len(), 2);
    assert_eq!(d.cycle[0].task.name, "transfer-a");
    assert_eq!(d.cycle[0].waits_on.name, "acct-2");
    assert_eq!(d.cycle[0].held_by.name, "transfer-b");
    assert_eq!(d.cycle[1].waits_on.name, "acct-1");
    assert_eq!(d.cycle[1].held_by.name, "transfer-a");
    // Futures are the path inside the task, not cycle members.
    assert_eq!(d.cycle[0].path.len(), 1);
    assert_eq!(d.cycle[0].path[0].name, "transfer");
    assert!(d.tasks.iter().all(|t| t.kind == NodeKind::Task));
}

#[test]
fn a_lock_inversion_through_nested_futures_is_found() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let fa = d.future(a, "outer");
    let fa2 = d.future(fa, "inner");
    let fb = d.future(b, "outer");
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(fa2, m2, "lock");
    d.wait(fb, m1, "lock");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["a", "b"]);
    let names: Vec<&str> = dl.cycle[0].path.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["outer", "inner"]);
}

#[test]
fn or_waits_a_task_with_one_releasable_wait_is_not_deadlocked() {
    // a waits on m2 (held by b, deadlocked with a) AND on a channel whose
    // sender is held by a running task: the second wait frees a, so b too.
    let mut d = Dump::new("svc");
    let (ta, _tb, _, _) = lock_inversion(&mut d, "a", "b");
    let producer = d.task("producer");
    d.node(producer)
        .state("polling", 10)
        .attr("polling_since_ms", 10);
    let ch = d.channel("jobs", "mpsc", 1, 1);
    d.hold(ch, producer, "sender");
    d.hold(ch, ta, "receiver");
    let fut = d.future(ta, "select-arm");
    d.wait(fut, ch, "recv");
    // Both waits are accounted wakers.
    d.node(ta)
        .attr("waker_clones", 2)
        .attr("waker_clones_accounted", 2);
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn or_waits_both_waits_inside_the_set_stay_deadlocked() {
    let mut d = Dump::new("svc");
    let (ta, tb, _, _) = lock_inversion(&mut d, "a", "b");
    // a also waits to receive on a channel whose only sender b holds.
    let ch = d.channel("replies", "mpsc", 1, 1);
    d.hold(ch, tb, "sender");
    d.wait(ta, ch, "recv");
    d.node(ta)
        .attr("waker_clones", 2)
        .attr("waker_clones_accounted", 2);
    assert_deadlocks(&analyze(&[d.build()]), &[&["a", "b"]]);
}

#[test]
fn an_unaccounted_waker_clone_is_an_external_releaser() {
    // A timer in a select!: one clone more than the instrumented waits.
    let mut d = Dump::new("svc");
    let (ta, _, _, _) = lock_inversion(&mut d, "a", "b");
    d.node(ta)
        .attr("waker_clones", 2)
        .attr("waker_clones_accounted", 1);
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_timer_alone_is_external_not_stuck() {
    // Pending with no instrumented wait and a live clone: a sleep.
    let mut d = Dump::new("svc");
    let t = d.task("sleeper");
    d.node(t)
        .attr("waker_clones", 1)
        .attr("waker_clones_accounted", 0);
    let report = analyze(&[d.build()]);
    assert!(report.is_empty(), "{}", report.text());
}

#[test]
fn a_notify_is_an_external_releaser() {
    // a holds m and waits on a notify; b waits on m. No cycle: anyone may
    // notify a, so neither is deadlocked.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let m = d.mutex("m");
    let n = d.resource(NodeKind::Notify, "shutdown");
    d.hold(m, a, "guard");
    d.wait(a, n, "notified");
    d.wait(b, m, "lock");
    assert_no_deadlock(&analyze(&[d.build()]));
}

/// `a` holds `m` and waits on notify `pushed`, which `notifiers` (of
/// `b`, `c`, `a`) were seen to notify, `counted` in all; `b` waits on `m`;
/// `c` sleeps on a timer when `c_runs`.
fn guard_across_notified(
    notifiers: &[&str],
    counted: u64,
    c_runs: bool,
) -> peeps_graph::analysis::Report {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let c = d.task("c");
    if c_runs {
        d.node(c).state("polling", 10);
    }
    let m = d.mutex("m");
    let n = d.resource(NodeKind::Notify, "pushed");
    d.node(n).attr("notifiers", counted);
    for who in notifiers {
        let t = match *who {
            "a" => a,
            "b" => b,
            _ => c,
        };
        d.hold(n, t, "notifier");
    }
    d.hold(m, a, "guard");
    d.wait(a, n, "notified");
    d.wait(b, m, "lock");
    analyze(&[d.build()])
}

#[test]
fn a_notify_whose_every_notifier_seen_is_stuck_is_a_probable_deadlock() {
    let report = guard_across_notified(&["b"], 1, false);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Probable, "{}", d.text);
    assert_eq!(task_names(d), ["a", "b"]);
    assert!(
        d.text
            .contains(r#"notified before (and may be again) by task "b""#),
        "{}",
        d.text
    );
    // The waiting task itself notified it once: it cannot now.
    let report = guard_across_notified(&["a", "b"], 2, false);
    assert_eq!(task_names(only_deadlock(&report)), ["a", "b"]);
}

#[test]
fn a_notify_with_a_notifier_not_stuck_or_not_seen_is_external() {
    // Another notifier runs.
    assert_no_deadlock(&guard_across_notified(&["b", "c"], 2, true));
    // A notifier that ended, or was not kept: counted, not drawn.
    assert_no_deadlock(&guard_across_notified(&["b"], 2, false));
    // Only the waiting task itself ever notified it.
    assert_no_deadlock(&guard_across_notified(&["a"], 1, false));
    // Nobody was seen to notify it.
    assert_no_deadlock(&guard_across_notified(&[], 0, false));
}

#[test]
fn an_unknown_endpoint_holder_is_external() {
    // Two tasks each receiving from a channel whose sender the other holds,
    // but one channel counts a sender nobody is attributed: external.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let ca = d.channel("to-a", "mpsc", 2, 1);
    let cb = d.channel("to-b", "mpsc", 1, 1);
    d.hold(ca, b, "sender");
    d.hold(cb, a, "sender");
    d.wait(a, ca, "recv");
    d.wait(b, cb, "recv");
    assert_no_deadlock(&analyze(&[d.build()]));
}

/// Regression (false alarm on request/reply, producers made in main): an
/// endpoint attributed to a task that never used it may have been handed
/// on, so it releases nothing peeps can name: no deadlock.
#[test]
fn an_unconfirmed_endpoint_is_not_a_releaser() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let ca = d.channel("to-a", "mpsc", 1, 1);
    let cb = d.channel("to-b", "mpsc", 1, 1);
    d.hold(ca, b, "sender").unconfirmed();
    d.hold(cb, a, "sender");
    d.wait(a, ca, "recv");
    d.wait(b, cb, "recv");
    assert_no_deadlock(&analyze(&[d.build()]));
    // Once b has used its sender, the same graph is a certain deadlock.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let ca = d.channel("to-a", "mpsc", 1, 1);
    let cb = d.channel("to-b", "mpsc", 1, 1);
    d.hold(ca, b, "sender");
    d.hold(cb, a, "sender");
    d.wait(a, ca, "recv");
    d.wait(b, cb, "recv");
    assert_eq!(
        only_deadlock(&analyze(&[d.build()])).certainty,
        Certainty::Certain
    );
}

#[test]
fn an_untracked_task_makes_the_deadlock_probable() {
    let mut d = Dump::new("svc");
    let a = d.plain_task("tokio task 7");
    let b = d.task("b");
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    let report = analyze(&[d.build()]);
    assert_eq!(only_deadlock(&report).certainty, Certainty::Probable);
}

#[test]
fn self_loop_relocking_a_held_mutex() {
    let mut d = Dump::new("svc");
    let t = d.task("relocker");
    let m = d.mutex("state");
    d.hold(m, t, "guard");
    d.wait(t, m, "lock");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["relocker"]);
    assert_eq!(dl.cycle.len(), 1);
    assert_eq!(dl.cycle[0].held_by.name, "relocker");
    assert_eq!(
        dl.text,
        "deadlock (certain, 1 task, 1 process):\n  \
         task \"relocker\" (src/relocker.rs:1) waits to lock mutex \"state\" (made at src/state.rs:2) for 5.0 s\n    \
         held by task \"relocker\""
    );
}

#[test]
fn self_loop_receiving_while_holding_the_only_sender() {
    let mut d = Dump::new("svc");
    let t = d.task("lonely");
    let ch = d.channel("inbox", "mpsc", 1, 1);
    d.hold(ch, t, "sender");
    d.hold(ch, t, "receiver");
    d.wait(t, ch, "recv");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["lonely"]);
    assert_eq!(dl.cycle[0].held_as.as_deref(), Some("sender"));
}

#[test]
fn a_rwlock_read_held_then_write_requested_in_the_same_task() {
    let mut d = Dump::new("svc");
    let t = d.task("upgrader");
    let l = d.resource(NodeKind::Rwlock, "config");
    d.hold(l, t, "read_guard");
    d.wait(t, l, "write");
    let report = analyze(&[d.build()]);
    assert!(only_deadlock(&report).text.contains("waits to write-lock rwlock \"config\" (made at src/config.rs:2) for 5.0 s\n    read-locked by task \"upgrader\""));
}

#[test]
fn two_independent_deadlocks_in_one_process() {
    let mut d = Dump::new("svc");
    lock_inversion(&mut d, "a", "b");
    lock_inversion(&mut d, "c", "d");
    let healthy = d.task("idle");
    d.node(healthy).attr("waker_clones_accounted", 0);
    let report = analyze(&[d.build()]);
    assert_deadlocks(&report, &[&["a", "b"], &["c", "d"]]);
    assert!(report.deadlocks.iter().all(|d| d.behind.is_empty()));
}

#[test]
fn a_task_behind_a_cycle_is_listed_under_it() {
    let mut d = Dump::new("svc");
    let (ta, _, m1, _) = lock_inversion(&mut d, "a", "b");
    let c = d.task("c");
    d.wait(c, m1, "lock");
    // And a task joining c: behind too, one step further.
    let main = d.thread("main");
    d.wait(main, c, "join");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["a", "b"]);
    let behind: Vec<&str> = dl.behind.iter().map(|s| s.task.name.as_str()).collect();
    assert_eq!(behind, ["c", "main"]);
    assert_eq!(dl.behind[0].held_by.id, ta);
    assert_eq!(dl.behind[1].held_by.name, "c");
    assert_eq!(
        dl.text,
        "deadlock (certain, 2 tasks, 1 process):\n  \
         task \"a\" (src/a.rs:1) waits to lock mutex \"b-lock\" (made at src/b-lock.rs:4) for 5.0 s\n    \
         held by task \"b\" (src/b.rs:2)\n  \
         task \"b\" waits to lock mutex \"a-lock\" (made at src/a-lock.rs:3) for 5.0 s\n    \
         held by task \"a\"\n  \
         also stuck behind it (2 tasks):\n    \
         task \"c\" (src/c.rs:5) waits to lock mutex \"a-lock\" for 5.0 s\n      \
         held by task \"a\"\n    \
         thread \"main\" (src/main.rs:6) waits for task \"c\" to finish, for 5.0 s"
    );
    // Behind tasks are never deadlocks of their own.
    assert_eq!(report.deadlocks.len(), 1);
}

#[test]
fn settle_time_young_edges_are_not_a_deadlock_yet() {
    let mut d = Dump::new("svc");
    let (ta, _, m1, _) = lock_inversion(&mut d, "a", "b");
    let _ = m1;
    // a's wait appeared 40 ms ago: could be a read artefact.
    let snap = {
        let mut s = d.raw();
        for e in &mut s.edges {
            if e.from == ta && e.kind == peeps_graph::EdgeKind::WaitsOn {
                e.since_ms = Some(40);
            }
        }
        s
    };
    assert_no_deadlock(&analyze(std::slice::from_ref(&snap)));
    // With a settle time below the edge's age, it is reported.
    let report = peeps_graph::analyze(&[snap], &Options::default().settle_ms(20));
    assert_deadlocks(&report, &[&["a", "b"]]);
}

#[test]
fn settle_time_applies_to_holds_and_future_paths_too() {
    let mut d = Dump::new("svc");
    let (_, tb, m1, _) = lock_inversion(&mut d, "a", "b");
    let _ = tb;
    let mut young_hold = d.raw();
    for e in &mut young_hold.edges {
        if e.from == m1 && e.kind == peeps_graph::EdgeKind::HeldBy {
            e.since_ms = Some(10);
        }
    }
    assert_no_deadlock(&analyze(&[young_hold]));

    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let fa = d.future(a, "step");
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(fa, m2, "lock");
    d.wait(b, m1, "lock");
    let mut young_path = d.raw();
    for e in &mut young_path.edges {
        if e.to == fa && e.kind == peeps_graph::EdgeKind::Needs {
            e.since_ms = Some(5);
        }
    }
    assert_no_deadlock(&analyze(&[young_path]));
}

#[test]
fn a_blocking_lock_wait_while_polling_is_blocked() {
    // parking_lot locks in inverted order: both polls parked.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    for t in [a, b] {
        d.node(t)
            .state("polling", OLD_MS)
            .attr("polling_since_ms", OLD_MS);
    }
    let m1 = d.blocking_mutex("pl-1");
    let m2 = d.blocking_mutex("pl-2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    let report = analyze(&[d.build()]);
    assert_deadlocks(&report, &[&["a", "b"]]);
    // Both polls also block their workers.
    assert_eq!(report.blocking_polls.len(), 2);
    assert!(report.blocking_polls.iter().all(|p| p.parked_on.is_some()));
}

/// A plain tokio task parked in a blocking lock (mediasoup#1605's
/// `Consumer::resume`): peeps sees no poll of a plain task, but its wait
/// on a blocking lock parks the worker running it, for as long as the wait
/// has lasted: a blocking poll, parked on that lock. One parked a moment
/// only is none.
#[test]
fn a_plain_task_parked_in_a_blocking_lock_is_a_blocking_poll() {
    for (wait_ms, blocking) in [(OLD_MS, true), (5, false)] {
        let mut d = Dump::new("svc");
        let worker = d.thread("worker");
        let task = d.plain_task("resume");
        let m1 = d.blocking_mutex("producer-paused");
        let m2 = d.blocking_mutex("paused");
        d.hold(m1, worker, "guard");
        d.hold(m2, task, "guard");
        d.wait(worker, m2, "lock").age(OLD_MS);
        d.wait(task, m1, "lock").age(wait_ms);
        let report = analyze(&[d.build()]);
        assert!(
            report
                .blocking_polls
                .iter()
                .all(|p| p.task.name != "worker"),
            "a thread's blocking call is no poll: {}",
            report.text()
        );
        let on_task: Vec<_> = report
            .blocking_polls
            .iter()
            .filter(|p| p.task.name == "resume")
            .collect();
        if !blocking {
            assert!(on_task.is_empty(), "{}", report.text());
            continue;
        }
        assert_eq!(on_task.len(), 1, "{}", report.text());
        assert_eq!(
            on_task[0].parked_on.as_ref().map(|n| n.name.as_str()),
            Some("producer-paused"),
            "{}",
            report.text()
        );
        assert!(on_task[0].polling_ms >= OLD_MS, "{}", report.text());
    }
}

/// The innermost frames of a thread parked in `futures::executor::block_on`.
const PARKED_IN_BLOCK_ON: &[&str] = &[
    "syscall",
    "std::sys::pal::unix::futex::futex_wait",
    "std::thread::park",
    "futures_executor::local_pool::run_executor",
    "app::Reaper::drop (src/reaper.rs:9)",
];

/// `futures::executor::block_on(registry.lock())` in a `Drop` run while the
/// task holds `registry`: a wait polled with block_on's waker (one peeps
/// does not count), begun inside the task's poll, which still runs; the
/// sampler saw its thread parked.
fn block_on_in_poll(poll_ms: u64, wait_ms: u64) -> peeps_graph::Snapshot {
    block_on_in_poll_with(poll_ms, wait_ms, PARKED_IN_BLOCK_ON)
}

fn block_on_in_poll_with(poll_ms: u64, wait_ms: u64, stack: &[&str]) -> peeps_graph::Snapshot {
    let mut d = Dump::new("svc");
    let reaper = d.task("reaper");
    d.node(reaper)
        .state("polling", poll_ms)
        .attr("polling_since_ms", poll_ms);
    d.os_thread(9, reaper, stack);
    let registry = d.mutex("registry");
    d.hold(registry, reaper, "guard");
    d.wait(reaper, registry, "lock")
        .attr("foreign_waker", true)
        .age(wait_ms);
    d.build()
}

#[test]
fn a_wait_of_an_executor_nested_in_a_running_poll_parks_it() {
    let report = analyze(&[block_on_in_poll(2_000, 1_900)]);
    assert_deadlocks(&report, &[&["reaper"]]);
    assert_eq!(report.blocking_polls.len(), 1);
    assert_eq!(
        report.blocking_polls[0]
            .parked_on
            .as_ref()
            .map(|n| n.name.as_str()),
        Some("registry")
    );
    assert!(
        report.blocking_polls[0]
            .text
            .contains("parked on mutex \"registry\" (made at src/registry.rs:2), awaited by an executor nested in the poll"),
        "{}",
        report.blocking_polls[0].text
    );
}

/// A `block_on(timeout(.., registry.lock()))` in a `Drop`: the executor's
/// waker has a clone more than the task's foreign waits (the timer's), so
/// the poll is parked for a while, not for good; with as many clones as
/// waits, it parks for good.
#[test]
fn a_nested_executor_with_a_clone_no_wait_accounts_for_parks_nothing() {
    let with_clones = |clones: u64| {
        let mut snap = block_on_in_poll(2_000, 1_900);
        let reaper = snap
            .nodes
            .iter_mut()
            .find(|n| n.name == "reaper")
            .expect("reaper");
        reaper
            .attrs
            .insert("nested_waker_clones".into(), clones.into());
        snap
    };
    assert_no_deadlock(&analyze(&[with_clones(2)]));
    assert_deadlocks(&analyze(&[with_clones(1)]), &[&["reaper"]]);
    assert_deadlocks(&analyze(&[with_clones(0)]), &[&["reaper"]]);
}

/// tokio#7892: in a `select_all`, one future of the task waits for
/// `transports`; the task's other future, in its poll, locks it through
/// `Handle::block_on`. The holder let go, and the fair lock went to the
/// first waiter, a future the parked poll cannot poll.
#[test]
fn a_lock_handed_to_a_future_of_a_poll_parked_behind_it_stays_there() {
    let mut d = Dump::new("svc");
    let scout = d.task("scout");
    d.node(scout)
        .state("polling", 2_000)
        .attr("polling_since_ms", 2_000);
    let peer = d.future(scout, "connect_peer");
    let admin = d.future(scout, "connect_peer_admin");
    d.node(admin)
        .state("polling", 2_000)
        .attr("polling_since_ms", 2_000);
    d.os_thread(
        9,
        admin,
        &[
            "parking_lot::condvar::Condvar::wait",
            "tokio::runtime::park::CachedParkThread::park",
            "tokio::runtime::handle::Handle::block_on",
        ],
    );
    let transports = d.mutex("transports");
    d.wait(peer, transports, "lock")
        .attr("polled_in", 3)
        .attr("queued", 1)
        .age(2_000);
    d.wait(admin, transports, "lock")
        .attr("foreign_waker", true)
        .attr("queued", 2)
        .age(1_990);
    let report = analyze(&[d.build()]);
    assert_deadlocks(&report, &[&["scout"]]);
    let text = &report.deadlocks[0].text;
    assert!(
        text.contains("held by task \"scout\", handed to its future \"connect_peer\""),
        "{text}"
    );
}

#[test]
fn a_foreign_wait_begun_before_the_poll_or_just_now_parks_nothing() {
    // Begun before this poll: a combinator's future from an earlier poll,
    // not an executor inside this one.
    assert_no_deadlock(&analyze(&[block_on_in_poll(1_000, 1_900)]));
    // Pending for a moment only: the poll may yet go on.
    assert_no_deadlock(&analyze(&[block_on_in_poll(2_000, 50)]));
    // The thread computing, not parked (a combinator's future waiting
    // while the poll goes on), or no stack taken: nothing proves the park.
    let computing = ["app::crunch (src/app.rs:40)", "app::reap (src/app.rs:12)"];
    assert_no_deadlock(&analyze(&[block_on_in_poll_with(2_000, 1_900, &computing)]));
    assert_no_deadlock(&analyze(&[block_on_in_poll_with(2_000, 1_900, &[])]));
}

#[test]
fn a_polling_task_with_only_async_waits_is_running() {
    let mut d = Dump::new("svc");
    let (ta, _, _, _) = lock_inversion(&mut d, "a", "b");
    d.node(ta).state("polling", 10).attr("polling_since_ms", 10);
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_woken_or_never_polled_task_is_not_blocked() {
    let mut d = Dump::new("svc");
    let (ta, _, _, _) = lock_inversion(&mut d, "a", "b");
    d.node(ta).attr("woken", true);
    assert_no_deadlock(&analyze(&[d.build()]));

    let mut d = Dump::new("svc");
    let (ta, _, _, _) = lock_inversion(&mut d, "a", "b");
    d.node(ta).attr("polls", 0);
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_free_lock_with_waiters_is_being_handed_over() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let m = d.mutex("m");
    d.wait(a, m, "lock");
    d.wait(b, m, "lock");
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_closed_or_nonempty_channel_will_wake_its_receiver() {
    for (attr, value) in [
        ("closed", serde_json::json!(true)),
        ("len", serde_json::json!(3)),
    ] {
        let mut d = Dump::new("svc");
        let t = d.task("lonely");
        let ch = d.channel("inbox", "mpsc", 1, 1);
        d.node(ch).attrs.insert(attr.into(), value);
        d.hold(ch, t, "sender");
        d.wait(t, ch, "recv");
        assert_no_deadlock(&analyze(&[d.build()]));
    }
}

#[test]
fn two_actors_blocked_sending_into_each_others_full_channel() {
    let mut d = Dump::new("svc");
    let a = d.task("actor-a");
    let b = d.task("actor-b");
    let ca = d.channel("a-inbox", "mpsc", 1, 1);
    let cb = d.channel("b-inbox", "mpsc", 1, 1);
    for (ch, owner) in [(ca, a), (cb, b)] {
        d.node(ch).attr("capacity", 1).attr("len", 1);
        d.hold(ch, owner, "receiver");
    }
    d.hold(ca, b, "sender");
    d.hold(cb, a, "sender");
    d.wait(a, cb, "send");
    d.wait(b, ca, "send");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["actor-a", "actor-b"]);
    assert!(
        dl.text.contains("waits to send on channel \"b-inbox\" (made at src/b-inbox.rs:4) for 5.0 s\n    receiver held by"),
        "{}",
        dl.text
    );

    // With room in one channel, that send completes: no deadlock.
    let mut s = d.raw();
    for n in &mut s.nodes {
        if n.id == ca {
            n.attrs.insert("len".into(), 0.into());
        }
    }
    assert_no_deadlock(&analyze(&[s]));
}

#[test]
fn a_semaphore_cycle() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let s1 = d.resource(NodeKind::Semaphore, "pool-1");
    let s2 = d.resource(NodeKind::Semaphore, "pool-2");
    d.hold(s1, a, "permit");
    d.hold(s2, b, "permit");
    d.wait(a, s2, "acquire");
    d.wait(b, s1, "acquire");
    let report = analyze(&[d.build()]);
    assert!(only_deadlock(&report).text.contains("permit held by task"));
}

/// A plain task waiting for a permit at the very call where it took the
/// permits it holds: the branches of one `join_all` behind a limiter, each
/// letting its own permit go after its work (a timer peeps cannot see in a
/// plain task) — no deadlock. Taken at another call, or at that call by
/// another task and moved in, the hold is no branch's: a probable
/// deadlock.
#[test]
fn a_plain_task_waiting_beside_its_own_hold_at_the_same_call_may_move() {
    for (held_at, deadlock) in [("src/crawl.rs:34:25", false), ("src/crawl.rs:20:9", true)] {
        let mut d = Dump::new("svc");
        let t = d.plain_task("tokio task 4");
        let limit = d.resource(NodeKind::Semaphore, "fetch-limit");
        d.hold(limit, t, "permit").attr("at", held_at);
        d.hold(limit, t, "permit").attr("at", held_at);
        d.wait(t, limit, "acquire").attr("at", "src/crawl.rs:34:25");
        let report = analyze(&[d.build()]);
        if deadlock {
            assert_eq!(only_deadlock(&report).certainty, Certainty::Probable);
        } else {
            assert_no_deadlock(&report);
        }
    }
    // A permit taken at that call by another task and moved in at spawn
    // (databend#8210): no branch of this task took it, none lets it go.
    let mut d = Dump::new("svc");
    let t = d.plain_task("tokio task 4");
    let limit = d.resource(NodeKind::Semaphore, "fetch-limit");
    d.hold(limit, t, "permit")
        .attr("at", "src/crawl.rs:34:25")
        .attr("evidence", "spawned")
        .attr("in_state", true);
    d.wait(t, limit, "acquire").attr("at", "src/crawl.rs:34:25");
    assert_eq!(
        only_deadlock(&analyze(&[d.build()])).certainty,
        Certainty::Probable
    );
    // A blocking wait parks the thread: no branch beside it runs.
    let mut d = Dump::new("svc");
    let main = d.thread("thread main");
    let shared = d.blocking_mutex("shared");
    d.hold(shared, main, "guard").attr("at", "src/main.rs:23:5");
    d.wait(main, shared, "lock").attr("at", "src/main.rs:23:5");
    assert_eq!(
        task_names(only_deadlock(&analyze(&[d.build()]))),
        ["thread main"]
    );
    // A peeps task counts its waker: its unseen waits show, and the rule
    // is not needed.
    let mut d = Dump::new("svc");
    let t = d.task("crawler");
    let limit = d.resource(NodeKind::Semaphore, "fetch-limit");
    d.hold(limit, t, "permit").attr("at", "src/crawl.rs:34:25");
    d.wait(t, limit, "acquire").attr("at", "src/crawl.rs:34:25");
    assert_eq!(
        only_deadlock(&analyze(&[d.build()])).certainty,
        Certainty::Certain
    );
}

/// Regression (false alarm on permits handed to spawned workers): an owned
/// permit is recorded on the acquiring task, but may have moved: no deadlock.
#[test]
fn an_owned_permit_that_may_have_moved_is_not_a_releaser() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let s1 = d.resource(NodeKind::Semaphore, "pool-1");
    let s2 = d.resource(NodeKind::Semaphore, "pool-2");
    d.hold(s1, a, "permit").unconfirmed();
    d.hold(s2, b, "permit");
    d.wait(a, s2, "acquire");
    d.wait(b, s1, "acquire");
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_join_cycle_through_a_lock() {
    // a holds m and awaits b's JoinHandle; b waits on m.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let m = d.mutex("m");
    d.hold(m, a, "guard");
    d.wait(a, b, "join");
    d.wait(b, m, "lock");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["a", "b"]);
    // The joined task is a member, not a resource.
    let res: Vec<&str> = dl.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(res, ["m"]);
    assert_eq!(
        dl.text,
        "deadlock (certain, 2 tasks, 1 process):\n  \
         task \"a\" (src/a.rs:1) waits for task \"b\" (src/b.rs:2) to finish, for 5.0 s\n  \
         task \"b\" waits to lock mutex \"m\" (made at src/m.rs:3) for 5.0 s\n    \
         held by task \"a\""
    );
}

#[test]
fn a_join_on_a_running_task_is_not_a_deadlock() {
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    d.node(b).state("polling", 1).attr("polling_since_ms", 1);
    d.wait(a, b, "join");
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_three_task_cycle_is_written_in_order() {
    let mut d = Dump::new("svc");
    let t: Vec<u64> = ["t1", "t2", "t3"].iter().map(|n| d.task(n)).collect();
    let m: Vec<u64> = ["m1", "m2", "m3"].iter().map(|n| d.mutex(n)).collect();
    for i in 0..3 {
        d.hold(m[i], t[i], "guard");
        d.wait(t[i], m[(i + 1) % 3], "lock");
    }
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    let order: Vec<(&str, &str, &str)> = dl
        .cycle
        .iter()
        .map(|s| {
            (
                s.task.name.as_str(),
                s.waits_on.name.as_str(),
                s.held_by.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [("t1", "m2", "t2"), ("t2", "m3", "t3"), ("t3", "m1", "t1")]
    );
}

#[test]
fn members_off_the_written_cycle_are_still_members() {
    // a waits on a semaphore whose permits b and c hold; b and c each wait
    // on a mutex a holds. One strongly connected group of three.
    let mut d = Dump::new("svc");
    let a = d.task("a");
    let b = d.task("b");
    let c = d.task("c");
    let s = d.resource(NodeKind::Semaphore, "pool");
    let m = d.mutex("m");
    d.hold(s, b, "permit");
    d.hold(s, c, "permit");
    d.hold(m, a, "guard");
    d.wait(a, s, "acquire");
    d.wait(b, m, "lock");
    d.wait(c, m, "lock");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["a", "b", "c"]);
    assert_eq!(dl.cycle.len(), 2);
    assert!(dl.text.contains("task \"c\""), "{}", dl.text);
    assert!(dl.behind.is_empty());
}

#[test]
fn a_task_that_lost_its_waker_is_stuck_forever_not_deadlocked() {
    let mut d = Dump::new("svc");
    let t = d.task("leaky");
    d.node(t)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0);
    let m = d.mutex("m");
    d.hold(m, t, "guard");
    let w = d.task("waiter");
    d.wait(w, m, "lock");
    let report = analyze(&[d.build()]);
    assert_no_deadlock(&report);
    assert_eq!(report.stuck_forever.len(), 1);
    let s = &report.stuck_forever[0];
    assert_eq!(s.task.name, "leaky");
    assert_eq!(s.stuck_ms, OLD_MS);
    let behind: Vec<&str> = s.behind.iter().map(|b| b.task.name.as_str()).collect();
    assert_eq!(behind, ["waiter"]);
    assert_eq!(
        s.text,
        "stuck forever (5.0 s):\n  \
         task \"leaky\" (src/leaky.rs:1) is pending and holds no waker: nothing can ever wake it\n  \
         also stuck behind it (1 task):\n    \
         task \"waiter\" (src/waiter.rs:3) waits to lock mutex \"m\" (made at src/m.rs:2) for 5.0 s\n      \
         held by task \"leaky\""
    );
}

#[test]
fn a_task_pending_briefly_without_waker_is_not_yet_stuck() {
    let mut d = Dump::new("svc");
    let t = d.task("fresh");
    d.node(t)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0)
        .age(20);
    assert!(analyze(&[d.build()]).stuck_forever.is_empty());
}

#[test]
fn untracked_tasks_are_never_stuck_forever() {
    let mut d = Dump::new("svc");
    d.plain_task("tokio task 3");
    assert!(analyze(&[d.build()]).is_empty());
}

#[test]
fn plain_tokio_tasks_without_instrumented_futures_deadlock_probably() {
    // Their poll counts cover only top-level instrumented futures: zero
    // polls says nothing; the waits decide.
    let mut d = Dump::new("svc");
    let a = d.plain_task("tokio task 7");
    let b = d.plain_task("tokio task 8");
    for t in [a, b] {
        d.node(t).attr("polls", 0);
    }
    let m1 = d.mutex("m1");
    let m2 = d.mutex("m2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    // A third plain task that created an endpoint and has no wait: it
    // cannot be seen into, so it is never taken as blocked.
    let ghost = d.plain_task("tokio task 9");
    d.node(ghost).attr("polls", 0);
    let ch = d.channel("ch", "mpsc", 1, 1);
    d.hold(ch, ghost, "sender").unconfirmed();
    let c = d.task("c");
    d.wait(c, ch, "recv");
    let report = analyze(&[d.build()]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["tokio task 7", "tokio task 8"]);
    assert_eq!(dl.certainty, Certainty::Probable);
}

#[test]
fn a_tracked_task_never_polled_is_runnable() {
    let mut d = Dump::new("svc");
    let t = d.task("queued");
    d.node(t).attr("polls", 0).attr("waker_clones", 0);
    assert!(analyze(&[d.build()]).is_empty());
}

/// A `block_on` thread and a task in a lock inversion: probable while the
/// thread's waker count (when peeps can read it) shows no clone beyond its
/// one wait; with one more clone (a socket or `ctrl_c` in the same
/// `select!`) something else may wake the thread, so no deadlock.
#[test]
fn a_thread_whose_waker_has_a_clone_beyond_its_waits_may_wake() {
    let build = |clones: Option<u64>| {
        let mut d = Dump::new("svc");
        let main = d.thread("main");
        let worker = d.task("worker");
        let (m1, m2) = (d.mutex("state"), d.mutex("cache"));
        d.hold(m1, main, "guard");
        d.hold(m2, worker, "guard");
        d.wait(main, m2, "lock");
        d.wait(worker, m1, "lock");
        if let Some(c) = clones {
            d.node(main).attr("waker_clones", c);
        }
        analyze(&[d.build()])
    };
    // Not counted: taken at its word, a probable deadlock; counted with no
    // clone beyond its wait: only its wait wakes it, a certain one.
    for (counted, certainty) in [(None, Certainty::Probable), (Some(1), Certainty::Certain)] {
        let report = build(counted);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, certainty, "{}", report.text());
        assert_eq!(task_names(d).len(), 2, "{}", report.text());
    }
    assert_no_deadlock(&build(Some(2)));
}

/// A `block_on` thread whose waker peeps cannot count (a current-thread
/// runtime's) in a receive cycle with a task: taken at its word, a
/// probable deadlock; but when a wait of its own at the same call site has
/// lost a race to something peeps cannot see (`raced_at`: a socket in the
/// same `select!` woke it and won), that wait may end without its channel,
/// so no deadlock. A race lost at another site says nothing of this wait,
/// and a counted waker decides by its count.
#[test]
fn a_thread_waiting_where_it_lost_a_race_to_the_unseen_may_wake() {
    let build = |raced: Option<&[&str]>, clones: Option<u64>| {
        let mut d = Dump::new("svc");
        let net = d.thread("net");
        let app = d.task("app");
        let commands = d.channel("commands", "mpsc", 1, 1);
        let events = d.channel("events", "mpsc", 1, 1);
        d.hold(commands, app, "sender");
        d.hold(commands, net, "receiver");
        d.hold(events, net, "sender");
        d.hold(events, app, "receiver");
        d.wait(net, commands, "recv").attr("at", "src/net.rs:70:32");
        d.wait(app, events, "recv").attr("at", "src/app.rs:12:9");
        if let Some(sites) = raced {
            d.node(net).attr("raced_at", sites.to_vec());
        }
        if let Some(c) = clones {
            d.node(net).attr("waker_clones", c);
        }
        analyze(&[d.build()])
    };
    for raced in [None, Some(&["src/net.rs:90:5"][..])] {
        let report = build(raced, None);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, Certainty::Probable, "{}", report.text());
        assert_eq!(task_names(d).len(), 2, "{}", report.text());
    }
    assert_no_deadlock(&build(Some(&["src/net.rs:70:32"]), None));
    assert_no_deadlock(&build(Some(&["src/net.rs:90:5", "*"]), None));
    // Counted: the count says who wakes it now, not a race it lost before.
    let report = build(Some(&["src/net.rs:70:32"]), Some(1));
    assert_eq!(
        only_deadlock(&report).certainty,
        Certainty::Certain,
        "{}",
        report.text()
    );
}

/// As for a thread: a plain tokio task whose waker peeps counts (tokio's
/// task waker, `waker_clones`) with more clones alive than its waits (a
/// timer under a `timeout`, a socket in the same `select!`) may wake; with
/// no more, only its waits wake it (a certain deadlock); not counted, it
/// is taken at its word (a probable one).
#[test]
fn a_plain_task_whose_waker_has_a_clone_beyond_its_waits_may_wake() {
    let build = |clones: Option<u64>| {
        let mut d = Dump::new("svc");
        let flusher = d.plain_task("stats-flusher");
        let worker = d.task("worker");
        let (m1, m2) = (d.mutex("stats"), d.mutex("batch"));
        d.hold(m1, flusher, "guard");
        d.hold(m2, worker, "guard");
        d.wait(flusher, m2, "lock");
        d.wait(worker, m1, "lock");
        if let Some(c) = clones {
            d.node(flusher).attr("waker_clones", c);
        }
        analyze(&[d.build()])
    };
    for (counted, certainty) in [
        (None, Certainty::Probable),
        (Some(0), Certainty::Certain),
        (Some(1), Certainty::Certain),
    ] {
        let report = build(counted);
        let d = only_deadlock(&report);
        assert_eq!(
            task_names(d),
            ["stats-flusher", "worker"],
            "{}",
            report.text()
        );
        assert_eq!(d.certainty, certainty, "{}", report.text());
    }
    assert_no_deadlock(&build(Some(2)));
}

/// A thread draining a tokio `JoinSet` waits on each of its tasks through
/// one clone of its waker, the set's: its joins share a `waker_group`, and
/// count as one clone. A second clone (a timer in the same `select!`) may
/// wake it; with none, the tasks waiting on its lock are a certain
/// deadlock with it.
#[test]
fn the_joins_of_one_join_set_share_one_waker_clone() {
    let build = |clones: u64, grouped: bool| {
        let mut d = Dump::new("svc");
        let main = d.thread("main");
        let service = d.mutex("service");
        d.hold(service, main, "guard");
        for name in ["worker-1", "worker-2"] {
            let w = d.plain_task(name);
            d.node(w).attr("waker_clones", 1);
            d.wait(w, service, "lock");
            let join = d.wait(main, w, "join");
            if grouped {
                join.attr("waker_group", 7);
            }
        }
        d.node(main).attr("waker_clones", clones);
        analyze(&[d.build()])
    };
    assert_no_deadlock(&build(2, true));
    for (clones, grouped) in [(1, true), (2, false)] {
        let report = build(clones, grouped);
        let d = only_deadlock(&report);
        assert_eq!(d.certainty, Certainty::Certain, "{}", report.text());
        assert_eq!(task_names(d).len(), 3, "{}", report.text());
    }
}

/// A thread's root whose waker peeps cannot count (a current-thread
/// runtime's), its thread parked with a timer of its runtime due
/// (`timer_due_ms`), may be woken by that timer: no deadlock through its
/// wait. Parked with none, its wait is taken for its only way out.
#[test]
fn a_thread_parked_with_a_timer_due_may_wake() {
    let build = |due: Option<u64>, clones: Option<u64>| {
        let mut d = Dump::new("svc");
        let main = d.thread("main");
        let worker = d.plain_task("worker");
        let (jobs, results) = (
            d.channel("jobs", "mpsc", 1, 1),
            d.channel("results", "mpsc", 1, 1),
        );
        d.hold(jobs, main, "sender");
        d.hold(jobs, worker, "receiver");
        d.hold(results, worker, "sender");
        d.hold(results, main, "receiver");
        d.wait(main, results, "recv");
        d.wait(worker, jobs, "recv");
        if let Some(ms) = due {
            d.node(main).attr("timer_due_ms", ms);
        }
        if let Some(c) = clones {
            d.node(main).attr("waker_clones", c);
        }
        analyze(&[d.build()])
    };
    assert_no_deadlock(&build(Some(19_000), None));
    let report = build(None, None);
    assert_eq!(
        only_deadlock(&report).certainty,
        Certainty::Probable,
        "{}",
        report.text()
    );
    // Counted, its count decides: one clone, its receive's.
    assert_eq!(
        only_deadlock(&build(Some(19_000), Some(1))).certainty,
        Certainty::Probable,
        "{}",
        build(Some(19_000), Some(1)).text()
    );
}

/// Two threads each hold a blocking mutex and wait for the other's with
/// `try_lock_for` (hunt37's timed back-off): each wait gives up at its
/// deadline, so the cycle breaks by itself. The same cycle without the
/// deadline is a certain deadlock.
#[test]
fn a_timed_blocking_lock_closes_no_cycle() {
    for timed in [false, true] {
        let mut d = Dump::new("svc");
        let a = d.thread("ledger-sync");
        let b = d.thread("journal-sync");
        let m1 = d.blocking_mutex("ledger");
        let m2 = d.blocking_mutex("journal");
        d.hold(m1, a, "guard");
        d.hold(m2, b, "guard");
        for (who, on) in [(a, m2), (b, m1)] {
            let wait = d.wait(who, on, "lock").attr("blocking_call", true);
            if timed {
                wait.attr("timed", true);
            }
        }
        let report = analyze(&[d.build()]);
        if timed {
            assert_no_deadlock(&report);
        } else {
            let dl = only_deadlock(&report);
            assert_eq!(dl.certainty, Certainty::Certain, "{}", report.text());
        }
    }
}
