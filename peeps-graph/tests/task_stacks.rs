//! Task stacks (`analysis::task_stacks`): every live task with the futures
//! inside it and what their leaves wait on, in the words a timeout report
//! prints.

mod support;

use peeps_graph::NodeKind;
use peeps_graph::analysis::task_stacks;
use support::{Dump, EdgeExt, NodeExt};

#[test]
fn a_stack_lists_the_futures_then_the_wait_its_leaf_makes_and_who_holds_it() {
    let mut d = Dump::new("svc");
    let replier = d.task("replier");
    let waiter = d.task("waiter");
    d.edge(replier, waiter, peeps_graph::EdgeKind::Spawned);
    let outer = d.future(waiter, "outer");
    let inner = d.future(outer, "inner");
    let ch = d.channel("replies", "mpsc", 1, 1);
    d.wait(inner, ch, "recv").since_ms = Some(1_900);
    d.hold(ch, replier, "sender")
        .attr("at", "src/replier.rs:9:13");
    d.hold(ch, waiter, "receiver"); // cannot end a receive: not said
    let snap = d.build();

    let stacks = task_stacks(&snap, |n| n.id == waiter);
    assert_eq!(stacks.len(), 1, "only the tasks kept");
    let s = &stacks[0];
    assert_eq!(s.task.name, "waiter");
    assert_eq!(
        s.spawned_by.as_ref().map(|p| p.name.as_str()),
        Some("replier")
    );
    let depths: Vec<(usize, &str)> = s
        .frames
        .iter()
        .map(|f| (f.depth, f.node.name.as_str()))
        .collect();
    assert_eq!(depths, [(0, "waiter"), (1, "outer"), (2, "inner")]);
    assert_eq!(
        s.text,
        "task \"waiter\" (src/waiter.rs:2), spawned by task \"replier\" (src/replier.rs:1), pending for 5.0 s:\n\
         \x20 future \"outer\" (src/outer.rs:3)\n\
         \x20   future \"inner\" (src/inner.rs:4)\n\
         \x20     waits to receive from channel \"replies\" (made at src/replies.rs:5) for 1.9 s\n\
         \x20       sender held since src/replier.rs:9 by task \"replier\""
    );
}

#[test]
fn a_task_waiting_directly_has_its_wait_under_its_headline_and_a_join_names_no_holder() {
    let mut d = Dump::new("svc");
    let joined = d.task("worker");
    let joiner = d.thread("main");
    d.wait(joiner, joined, "join");
    let snap = d.build();

    let stacks = task_stacks(&snap, |_| true);
    let names: Vec<&str> = stacks.iter().map(|s| s.task.name.as_str()).collect();
    assert_eq!(names, ["worker", "main"], "in id order");
    let main = &stacks[1];
    assert_eq!(main.task.kind, NodeKind::Thread);
    assert!(main.frames[0].waits[0].held_by.is_empty());
    assert_eq!(
        main.text,
        "thread \"main\" (src/main.rs:2), pending for 5.0 s:\n  waits for task \"worker\" (src/worker.rs:1) to finish, for 5.0 s"
    );
}

#[test]
fn a_pending_task_without_instrumented_waits_is_said_to_wait_on_something_unseen() {
    let mut d = Dump::new("svc");
    let t = d.task("sleeper");
    d.future(t, "nap");
    let idle = d.task("idle");
    let snap = d.build();

    let stacks = task_stacks(&snap, |_| true);
    assert!(
        stacks[0].text.ends_with(
            "\n  waits inside its futures on something peeps cannot see (a timer, I/O or an uninstrumented future)"
        ),
        "{}",
        stacks[0].text
    );
    assert_eq!(stacks[1].task.id, idle);
    assert!(
        stacks[1].text.ends_with(
            ":\n  waits on something peeps cannot see (a timer, I/O or an uninstrumented future)"
        ),
        "{}",
        stacks[1].text
    );
}

#[test]
fn a_woken_task_is_about_to_run_and_one_without_a_waker_can_never_wake() {
    let mut d = Dump::new("svc");
    let woken = d.task("woken");
    d.node(woken).attr("woken", true);
    let lost = d.task("lost");
    d.node(lost)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0);
    let snap = d.build();

    let stacks = task_stacks(&snap, |_| true);
    assert_eq!(
        stacks[0].text,
        "task \"woken\" (src/woken.rs:1), woken (about to run), pending for 5.0 s"
    );
    assert_eq!(
        stacks[1].text,
        "task \"lost\" (src/lost.rs:2), pending for 5.0 s:\n  holds no waker: nothing can ever wake it"
    );
}

#[test]
fn a_running_poll_says_how_long_and_a_guessed_holder_is_probable() {
    let mut d = Dump::new("svc");
    let busy = d.task("busy");
    d.node(busy)
        .state("polling", 1_000)
        .attr("polling_since_ms", 2_300);
    let m = d.mutex("m");
    d.hold(m, busy, "guard").attr("confirmed", false);
    let waiter = d.task("waiter");
    d.wait(waiter, m, "lock");
    let snap = d.build();

    let stacks = task_stacks(&snap, |_| true);
    assert_eq!(
        stacks[0].text,
        "task \"busy\" (src/busy.rs:1), inside a poll for 2.3 s"
    );
    assert_eq!(
        stacks[1].text,
        "task \"waiter\" (src/waiter.rs:3), pending for 5.0 s:\n  waits to lock mutex \"m\" (made at src/m.rs:2) for 5.0 s\n    probably held by task \"busy\" (src/busy.rs:1)"
    );
}

#[test]
fn many_holders_are_cut_after_three_and_a_needs_loop_ends() {
    let mut d = Dump::new("svc");
    let sem = d.resource(NodeKind::Semaphore, "permits");
    for k in 0..5 {
        let h = d.task(&format!("h{k}"));
        d.hold(sem, h, "permit");
    }
    let waiter = d.task("waiter");
    let a = d.future(waiter, "a");
    let b = d.future(a, "b");
    d.edge(b, a, peeps_graph::EdgeKind::Needs); // malformed: a loop
    d.wait(b, sem, "acquire");
    let snap = d.raw();

    let stacks = task_stacks(&snap, |n| n.id == waiter);
    let text = &stacks[0].text;
    assert_eq!(text.matches("permit held by").count(), 3, "{text}");
    assert!(text.ends_with("\n        and 2 more"), "{text}");
}
