//! A runtime whose every thread is parked in a blocking poll: its other
//! tasks cannot run, whatever wakes them (`Blocked::occupiers`).

mod support;

use peeps_graph::analysis::{Certainty, Report};
use peeps_graph::{Edge, NodeId, NodeKind, Snapshot, TaskCensus};
use support::*;

/// The census of a process whose one runtime runs its tasks on `workers`
/// threads (none: several runtimes, or none seen).
fn with_workers(mut snap: Snapshot, workers: Option<u64>) -> Snapshot {
    snap.tasks = Some(TaskCensus {
        alive: 3,
        unseen: 0,
        threads: 4,
        unseen_threads: 0,
        workers,
    });
    snap
}

/// A plain task parked in a blocking lock of `lock` on OS thread `tid`.
fn parked<'d>(d: &'d mut Dump, task: NodeId, lock: NodeId, op: &str, tid: u64) -> &'d mut Edge {
    d.wait(task, lock, op)
        .attr("blocking_call", true)
        .attr("os_thread", tid)
}

/// firebase-auth#22's shape: a current-thread `main` (OS thread 7) holds a
/// blocking mutex across an `.await`; a plain handler blocks on it in its
/// poll, on that same thread.
fn key_update(handler_thread: u64) -> Dump {
    let mut d = Dump::new("svc");
    let main = d.thread("main");
    d.node(main).attr("os_thread", 7);
    let handler = d.plain_task("handler");
    let verifier = d.blocking_mutex("verifier");
    d.hold(verifier, main, "guard");
    parked(&mut d, handler, verifier, "lock", handler_thread);
    d
}

#[test]
fn a_task_parked_on_the_only_thread_starves_the_block_on_root_it_waits_for() {
    let report = analyze(&[with_workers(key_update(7).build(), Some(1))]);
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", report.text());
    let mut tasks = task_names(d);
    tasks.sort();
    assert_eq!(tasks, ["handler", "main"], "{}", report.text());
    let resources: Vec<&str> = d.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(resources, ["verifier"], "{}", report.text());
    let starved = d
        .cycle
        .iter()
        .find(|s| s.task.name == "main")
        .expect("main's step");
    assert_eq!(starved.op, None);
    assert_eq!(starved.waits_on.name, "handler");
    assert!(
        d.text
            .contains("cannot run: its runtime's only thread is parked in the blocking poll of"),
        "{}",
        report.text()
    );
}

#[test]
fn without_a_census_of_the_runtimes_threads_nothing_is_starved() {
    let report = analyze(&[with_workers(key_update(7).build(), None)]);
    assert_no_deadlock(&report);
}

#[test]
fn a_block_on_root_on_another_thread_is_not_starved() {
    // The handler parks its runtime's one thread, but `main`'s `block_on`
    // runs on a thread of its own (OS thread 7): it may let go.
    let report = analyze(&[with_workers(key_update(9).build(), Some(1))]);
    assert_no_deadlock(&report);
}

/// gitbutler#12992's shape: a `spawn_blocking` watcher holds `worktree` for
/// writing and waits for `broadcaster`, free and queued first for the
/// plain `irc` task; handlers parked on OS threads `handler_threads` read
/// `worktree`.
fn watcher(handler_threads: &[u64]) -> Snapshot {
    let mut d = Dump::new("svc");
    let main = d.thread("main");
    d.node(main).attr("os_thread", 1);
    let watcher = d.plain_task("watcher");
    d.node(watcher).attr("unseen_thread", true);
    let irc = d.plain_task("irc");
    let worktree = d.blocking_mutex("worktree");
    let broadcaster = d.mutex("broadcaster");
    d.hold(worktree, watcher, "guard");
    d.wait(irc, broadcaster, "lock").attr("queued", 1);
    parked(&mut d, watcher, broadcaster, "lock", 40).attr("queued", 2);
    for (i, &tid) in handler_threads.iter().enumerate() {
        let handler = d.plain_task(&format!("handler-{i}"));
        parked(&mut d, handler, worktree, "read", tid);
    }
    d.build()
}

fn watcher_report(handler_threads: &[u64], workers: Option<u64>) -> Report {
    analyze(&[with_workers(watcher(handler_threads), workers)])
}

#[test]
fn every_worker_parked_starves_the_task_a_lock_was_handed_to() {
    let report = watcher_report(&[11, 12], Some(2));
    let d = only_deadlock(&report);
    assert_eq!(d.certainty, Certainty::Certain, "{}", report.text());
    let mut tasks = task_names(d);
    tasks.sort();
    assert_eq!(
        tasks,
        ["handler-0", "handler-1", "irc", "watcher"],
        "{}",
        report.text()
    );
    let mut resources: Vec<(NodeKind, &str)> = d
        .resources
        .iter()
        .map(|r| (r.kind, r.name.as_str()))
        .collect();
    resources.sort();
    assert_eq!(
        resources,
        [
            (NodeKind::Mutex, "broadcaster"),
            (NodeKind::Mutex, "worktree")
        ],
        "{}",
        report.text()
    );
    assert!(
        d.text.contains(
            "cannot run: every worker thread of its runtime is parked in a blocking poll"
        ),
        "{}",
        report.text()
    );
}

#[test]
fn a_free_worker_starves_nothing() {
    // Three workers, two parked: the third runs `irc`.
    assert_no_deadlock(&watcher_report(&[11, 12], Some(3)));
    // Two workers, but both handlers are on one of them (the other was
    // parked a moment ago and let go: one thread cannot park twice).
    assert_no_deadlock(&watcher_report(&[11, 11], Some(2)));
}

#[test]
fn a_task_parked_on_a_block_on_thread_holds_no_worker() {
    // One handler on a worker, one on `main`'s thread (a `LocalSet`'s):
    // a multi-thread runtime's `block_on` thread runs none of its tasks.
    assert_no_deadlock(&watcher_report(&[11, 1], Some(2)));
}
