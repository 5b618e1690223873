//! A `block_on` root whose OS thread a task's poll parks in a blocking
//! call cannot be polled, whatever wakes it (`Blocked::starve`).

mod support;

use peeps_graph::analysis::Certainty;
use peeps_graph::{Edge, NodeId};
use support::*;

/// A plain task parked in a blocking lock of `lock` on OS thread `tid`.
fn parked<'d>(d: &'d mut Dump, task: NodeId, lock: NodeId, op: &str, tid: u64) -> &'d mut Edge {
    d.wait(task, lock, op)
        .attr("blocking_call", true)
        .attr("os_thread", tid)
}

/// firebase-auth#22's shape: a current-thread `main` (OS thread 7) holds a
/// blocking mutex across an `.await`; a plain handler blocks on it in its
/// poll, on OS thread `handler_thread`.
fn key_update(handler_thread: u64) -> Dump {
    key_update_in("svc", handler_thread)
}

/// [`key_update`] in process `process`.
fn key_update_in(process: &str, handler_thread: u64) -> Dump {
    let mut d = Dump::new(process);
    let main = d.thread("main");
    d.node(main).attr("os_thread", 7);
    let handler = d.plain_task("handler");
    let verifier = d.blocking_mutex("verifier");
    d.hold(verifier, main, "guard");
    parked(&mut d, handler, verifier, "lock", handler_thread);
    d
}

#[test]
fn a_task_parked_on_the_thread_of_a_block_on_root_starves_it() {
    let report = analyze(&[key_update(7).build()]);
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
            .contains(r#"cannot run: its thread is parked in the blocking poll of task "handler""#),
        "{}",
        report.text()
    );
}

#[test]
fn a_block_on_root_on_another_thread_is_not_starved() {
    // The handler parks a worker of its runtime, but `main`'s `block_on`
    // runs on a thread of its own (OS thread 7): it may let go, for all
    // peeps knows (it waits on nothing peeps sees).
    assert_no_deadlock(&analyze(&[key_update(9).build()]));
}

#[test]
fn a_wait_without_its_thread_starves_nothing() {
    // An older dump, or a platform with no thread ids: nothing to match.
    let mut d = Dump::new("svc");
    let main = d.thread("main");
    let handler = d.plain_task("handler");
    let verifier = d.blocking_mutex("verifier");
    d.hold(verifier, main, "guard");
    d.wait(handler, verifier, "lock")
        .attr("blocking_call", true);
    assert_no_deadlock(&analyze(&[d.build()]));
}

#[test]
fn a_short_park_starves_nothing_yet() {
    // Parked a moment ago: the settle time has not passed.
    let mut d = key_update(7);
    let handler = d.plain_task("handler-2");
    let other = d.blocking_mutex("other");
    let main = d.thread("main-2");
    d.node(main).attr("os_thread", 8);
    d.hold(other, main, "guard");
    parked(&mut d, handler, other, "lock", 8).age(5);
    let report = analyze(&[d.build()]);
    // The settled one is found; the young one is not.
    let d = only_deadlock(&report);
    assert!(
        task_names(d)
            .iter()
            .all(|t| t != "main-2" && t != "handler-2"),
        "{}",
        report.text()
    );
}

#[test]
fn two_processes_with_the_same_thread_ids_are_told_apart() {
    // Containers have pid namespaces of their own: both mains are thread
    // 7. Each is starved by its own handler.
    let report = analyze(&[key_update(7).build(), key_update_in("billing", 7).build()]);
    assert_eq!(report.deadlocks.len(), 2, "{}", report.text());
    for d in &report.deadlocks {
        assert!(!d.cross_process, "{}", report.text());
        assert_eq!(d.certainty, Certainty::Certain, "{}", report.text());
    }
}
