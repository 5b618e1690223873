//! The findings in words and in JSON: deadlock text, long waits, stuck
//! forever, blocking polls, the report's shape.

mod support;

use peeps_graph::analysis::{Finding, Options, Report};
use peeps_graph::{NodeKind, Snapshot};
use support::*;

fn example() -> Snapshot {
    Snapshot::from_json(include_str!("../../docs/example-dump.json")).unwrap()
}

#[test]
fn the_example_reads_as_design_says() {
    let report = analyze(&[example()]);
    assert_eq!(
        report.text(),
        "deadlock (certain, 2 tasks, 1 process):\n  \
         task \"transfer-a\" (src/bank.rs:31) in future \"transfer\" (src/bank.rs:20) waits at src/bank.rs:22 to lock mutex \"acct-2\" (made at src/bank.rs:12) for 5.0 s\n    \
         held since src/bank.rs:21 by task \"transfer-b\" (src/bank.rs:40)\n  \
         task \"transfer-b\" in future \"transfer\" (src/bank.rs:20) waits at src/bank.rs:22 to lock mutex \"acct-1\" (made at src/bank.rs:11) for 5.0 s\n    \
         held since src/bank.rs:21 by task \"transfer-a\"\n  \
         how it formed:\n    \
         6.865 s  task \"transfer-a\" took mutex \"acct-1\" at src/bank.rs:21\n    \
         6.867 s  task \"transfer-b\" took mutex \"acct-2\" at src/bank.rs:21\n    \
         6.874 s  task \"transfer-a\" waits at src/bank.rs:22 to lock mutex \"acct-2\"\n    \
         6.875 s  task \"transfer-b\" waits at src/bank.rs:22 to lock mutex \"acct-1\"\n\n\
         1 deadlock, 0 stuck forever, 0 long waits, 0 blocking polls\n"
    );
    let d = &report.deadlocks[0];
    assert_eq!(
        d.summary(),
        "deadlock (certain, 2 tasks, 1 process): task \"transfer-a\", task \"transfer-b\""
    );
    assert_eq!(
        <peeps_graph::analysis::Deadlock as Finding>::KIND,
        "deadlock"
    );
}

#[test]
fn a_waiting_task_itself_is_written_without_a_future() {
    let mut d = Dump::new("bank");
    let a = d.task("transfer-a");
    let b = d.task("transfer-b");
    let m1 = d.mutex("acct-1");
    let m2 = d.mutex("acct-2");
    d.hold(m1, a, "guard");
    d.hold(m2, b, "guard");
    d.wait(a, m2, "lock");
    d.wait(b, m1, "lock");
    let report = analyze(&[d.build()]);
    assert_eq!(
        report.deadlocks[0].text,
        "deadlock (certain, 2 tasks, 1 process):\n  \
         task \"transfer-a\" (src/transfer-a.rs:1) waits to lock mutex \"acct-2\" (made at src/acct-2.rs:4) for 5.0 s\n    \
         held by task \"transfer-b\" (src/transfer-b.rs:2)\n  \
         task \"transfer-b\" waits to lock mutex \"acct-1\" (made at src/acct-1.rs:3) for 5.0 s\n    \
         held by task \"transfer-a\""
    );
}

#[test]
fn the_json_has_exactly_the_documented_fields() {
    let report = analyze(&[example()]);
    let v = serde_json::to_value(&report).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        [
            "blocking_polls",
            "deadlocks",
            "long_waits",
            "potential_deadlocks",
            "stuck_forever"
        ]
    );
    let d = &v["deadlocks"][0];
    assert_eq!(
        keys(d),
        [
            "behind",
            "certainty",
            "cross_process",
            "cycle",
            "others",
            "resources",
            "tasks",
            "text",
            "timeline"
        ]
    );
    assert_eq!(
        keys(&d["timeline"][0]),
        [
            "at", "kind", "node", "process", "t_ms", "task", "text", "time"
        ]
    );
    assert_eq!(d["timeline"][0]["time"], "6.865 s");
    assert_eq!(d["certainty"], "certain");
    assert_eq!(d["cross_process"], false);
    assert_eq!(
        keys(&d["tasks"][0]),
        ["id", "kind", "location", "name", "process"]
    );
    assert_eq!(d["tasks"][0]["process"], "4242-1763790000123456789");
    assert_eq!(d["tasks"][0]["kind"], "task");
    assert_eq!(d["resources"][0]["kind"], "mutex");
    let step = &d["cycle"][0];
    assert_eq!(
        keys(step),
        [
            "as",
            "at",
            "confirmed",
            "held_at",
            "held_by",
            "op",
            "path",
            "release_words",
            "task",
            "via",
            "wait_words",
            "waited",
            "waited_ms",
            "waits_on"
        ]
    );
    assert_eq!(step["as"], "guard");
    assert_eq!(step["op"], "lock");
    // The step's words, as its lines in `text` say them.
    assert_eq!(step["wait_words"], "waits at src/bank.rs:22 to lock");
    assert_eq!(step["release_words"], "held since src/bank.rs:21 by");
    assert!(step["waited"].as_str().is_some_and(|w| w.ends_with(" s")));
    assert!(d["text"].as_str().unwrap().starts_with("deadlock (certain"));
    // And it reads back.
    let again: Report = serde_json::from_value(v).unwrap();
    assert_eq!(again, report);
}

#[test]
fn long_waits_behind_a_sleeping_holder() {
    let mut d = Dump::new("svc");
    let sleeper = d.task("sleeper");
    // Sleeping with the lock held: a timer holds an unaccounted clone.
    d.node(sleeper).attr("waker_clones_accounted", 0);
    let m = d.mutex("m");
    d.hold(m, sleeper, "guard");
    let w = d.task("w");
    d.wait(w, m, "lock").age(12_000);
    let w2 = d.task("w2");
    d.wait(w2, m, "lock").age(7_000);
    let report = analyze(&[d.build()]);
    assert_no_deadlock(&report);
    let names: Vec<(&str, u64)> = report
        .long_waits
        .iter()
        .map(|l| (l.task.name.as_str(), l.waited_ms))
        .collect();
    assert_eq!(names, [("w", 12_000), ("w2", 7_000)], "ranked by duration");
    assert_eq!(
        report.long_waits[0].text,
        "long wait (12.0 s):\n  \
         task \"w\" (src/w.rs:3) waits to lock mutex \"m\" (made at src/m.rs:2)\n    \
         held by task \"sleeper\" (src/sleeper.rs:1), which waits on something peeps cannot see (a timer, I/O or an uninstrumented future)"
    );
    assert_eq!(report.long_waits[0].held_by[0].name, "sleeper");
    assert_eq!(
        report.long_waits[0].summary(),
        "long wait (12.0 s): task \"w\""
    );

    // Below the threshold: nothing; a lower threshold finds both.
    let report = peeps_graph::analyze(&[d.build()], &Options::default().long_wait_ms(20_000));
    assert!(report.long_waits.is_empty());
}

#[test]
fn waiting_for_work_is_not_a_long_wait() {
    let mut d = Dump::new("svc");
    let producer = d.task("producer");
    d.node(producer).attr("waker_clones_accounted", 0);
    let ch = d.channel("jobs", "mpsc", 1, 1);
    d.hold(ch, producer, "sender");
    for i in 0..3 {
        let worker = d.task(&format!("worker-{i}"));
        d.wait(worker, ch, "recv").age(600_000);
    }
    let n = d.resource(NodeKind::Notify, "shutdown");
    let idle = d.task("idle");
    d.wait(idle, n, "notified").age(600_000);
    let report = analyze(&[d.build()]);
    assert!(report.is_empty(), "{}", report.text());
}

#[test]
fn a_long_wait_with_an_unseen_releaser_says_why() {
    let mut d = Dump::new("svc");
    let t = d.task("writer");
    let ch = d.channel("out", "mpsc", 1, 2);
    d.node(ch).attr("capacity", 4).attr("len", 4);
    d.wait(t, ch, "send").age(9_000);
    let report = analyze(&[d.build()]);
    assert_eq!(
        report.long_waits[0].text,
        "long wait (9.0 s):\n  \
         task \"writer\" (src/writer.rs:1) waits to send on channel \"out\" (made at src/out.rs:2)\n    \
         a receiver is held by something peeps cannot see"
    );
    assert!(report.long_waits[0].held_by.is_empty());
}

#[test]
fn a_long_wait_lists_at_most_three_releasers() {
    let mut d = Dump::new("svc");
    let s = d.resource(NodeKind::Semaphore, "pool");
    for i in 0..5 {
        let h = d.task(&format!("h{i}"));
        d.node(h).state("polling", 1).attr("polling_since_ms", 1);
        d.hold(s, h, "permit");
    }
    let w = d.task("w");
    d.wait(w, s, "acquire").age(6_000);
    let report = analyze(&[d.build()]);
    let lw = &report.long_waits[0];
    assert_eq!(lw.held_by.len(), 5);
    assert!(
        lw.text.ends_with("which is running\n    and 2 more tasks"),
        "{}",
        lw.text
    );
}

#[test]
fn blocking_polls_name_the_innermost_future_and_thread() {
    let mut d = Dump::new("svc");
    let t = d.task("cruncher");
    d.node(t)
        .state("polling", 1_500)
        .attr("polling_since_ms", 1_500);
    let outer = d.future(t, "outer");
    d.node(outer)
        .state("polling", 1_500)
        .attr("polling_since_ms", 1_500);
    let hash = d.future(outer, "hash");
    d.node(hash)
        .state("polling", 1_499)
        .attr("polling_since_ms", 1_499);
    d.os_thread(7, hash, &["std::thread::sleep", "app::hash"]);
    let quick = d.task("quick");
    d.node(quick)
        .state("polling", 20)
        .attr("polling_since_ms", 20);
    let slow = d.task("slow");
    d.node(slow)
        .state("polling", 300)
        .attr("polling_since_ms", 300);
    let report = analyze(&[d.build()]);
    let names: Vec<&str> = report
        .blocking_polls
        .iter()
        .map(|p| p.task.name.as_str())
        .collect();
    assert_eq!(names, ["cruncher", "slow"]);
    let p = &report.blocking_polls[0];
    assert_eq!(p.polling_ms, 1_500);
    assert_eq!(p.path.last().unwrap().name, "hash");
    assert_eq!(p.thread.as_ref().unwrap().tid, 7);
    assert_eq!(
        p.text,
        "blocking poll (1.5 s):\n  \
         worker `tokio-runtime-worker` (tid 7) has been inside a poll of future \"hash\" (src/hash.rs:3) for 1.5 s\n    \
         in task \"cruncher\" (src/cruncher.rs:1) > \"outer\" (src/outer.rs:2)\n    \
         at std::thread::sleep\n    \
         at app::hash"
    );
    assert_eq!(
        report.blocking_polls[1].text,
        "blocking poll (300 ms):\n  \
         task \"slow\" (src/slow.rs:5) has been inside one poll for 300 ms, blocking its runtime thread"
    );
    let report = peeps_graph::analyze(&[d.build()], &Options::default().slow_poll_ms(10));
    assert_eq!(report.blocking_polls.len(), 3);
}

/// The sampler's facts (attrs of the snapshot's thread) are said under a
/// blocking poll: dominant frames, then the stack; or why there is none.
#[test]
fn blocking_polls_say_the_dominant_frames_and_why_a_stack_is_missing() {
    let mut d = Dump::new("svc");
    let t = d.task("spinner");
    d.node(t)
        .state("polling", 2_300)
        .attr("polling_since_ms", 2_300);
    d.os_thread(
        9,
        t,
        &["app::spin (src/app.rs:4)", "app::run (src/app.rs:9)"],
    );
    let mut snap = d.build();
    let attrs = &mut snap.threads[0].attrs;
    attrs.insert("samples".into(), 10.into());
    attrs.insert(
        "dominant_frames".into(),
        serde_json::json!([{ "frame": "app::spin (src/app.rs:4)", "samples": 10 }]),
    );
    let report = analyze(&[snap.clone()]);
    let p = &report.blocking_polls[0];
    let thread = p.thread.as_ref().unwrap();
    assert_eq!(thread.samples, 10);
    assert_eq!(thread.dominant_frames[0].frame, "app::spin (src/app.rs:4)");
    assert_eq!(
        p.text,
        "blocking poll (2.3 s):\n  \
         worker `tokio-runtime-worker` (tid 9) has been inside a poll of task \"spinner\" (src/spinner.rs:1) for 2.3 s\n    \
         dominant frames (10 samples):\n      \
         10/10 app::spin (src/app.rs:4)\n    \
         at app::spin (src/app.rs:4)\n    \
         at app::run (src/app.rs:9)"
    );

    let thread = &mut snap.threads[0];
    thread.stack.clear();
    thread.attrs.clear();
    thread
        .attrs
        .insert("stack_unavailable".into(), "no answer".into());
    let report = analyze(&[snap]);
    let p = &report.blocking_polls[0];
    assert_eq!(
        p.thread.as_ref().unwrap().stack_unavailable.as_deref(),
        Some("no answer")
    );
    assert!(
        p.text
            .ends_with("for 2.3 s\n    stack unavailable: no answer"),
        "{}",
        p.text
    );
}

#[test]
fn stuck_forever_is_said_with_its_summary() {
    let mut d = Dump::new("svc");
    let t = d.task("lost");
    d.node(t)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0);
    let f = d.future(t, "never-wakes");
    let _ = f;
    let report = analyze(&[d.build()]);
    assert_eq!(report.stuck_forever.len(), 1);
    let s = &report.stuck_forever[0];
    assert_eq!(
        s.text,
        "stuck forever (5.0 s):\n  \
         task \"lost\" (src/lost.rs:1) is pending and holds no waker: nothing can ever wake it"
    );
    assert_eq!(s.summary(), "stuck forever (5.0 s): task \"lost\"");
}

#[test]
fn no_waker_clone_but_a_pending_instrumented_wait_is_a_wake_in_progress() {
    // An instrumented wait always holds an accounted clone; none left means
    // the resource just woke the task (read mid-wake), not a leak.
    let mut d = Dump::new("svc");
    let t = d.task("being-woken");
    d.node(t)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0);
    let ch = d.channel("reply", "oneshot", 1, 1);
    let other = d.task("other");
    d.node(other).state("polling", 1);
    d.hold(ch, other, "sender");
    d.wait(t, ch, "recv");
    let report = analyze(&[d.build()]);
    assert!(report.is_empty(), "{}", report.text());
}

#[test]
fn an_empty_report_says_so() {
    let report = analyze(&[Dump::new("svc").build()]);
    assert!(report.is_empty() && !report.has_deadlock());
    assert_eq!(
        report.text(),
        "0 deadlocks, 0 stuck forever, 0 long waits, 0 blocking polls\n"
    );
}

#[test]
fn deadlocks_are_ranked_by_how_long_they_have_stood() {
    let mut d = Dump::new("svc");
    for (a, b, age) in [("young-a", "young-b", 1_000), ("old-a", "old-b", 60_000)] {
        let ta = d.task(a);
        let tb = d.task(b);
        let m1 = d.mutex(&format!("{a}-m"));
        let m2 = d.mutex(&format!("{b}-m"));
        d.hold(m1, ta, "guard").age(age);
        d.hold(m2, tb, "guard").age(age);
        d.wait(ta, m2, "lock").age(age);
        d.wait(tb, m1, "lock").age(age);
    }
    let report = analyze(&[d.build()]);
    let first: Vec<Vec<String>> = report.deadlocks.iter().map(task_names).collect();
    assert_eq!(first, [["old-a", "old-b"], ["young-a", "young-b"]]);
}

#[test]
fn names_with_quotes_are_escaped_in_words() {
    let mut d = Dump::new("svc");
    let t = d.task("say \"hi\"");
    let m = d.mutex("m");
    d.hold(m, t, "guard");
    d.wait(t, m, "lock");
    let report = analyze(&[d.build()]);
    assert!(
        report.deadlocks[0].text.contains(r#"task "say \"hi\"""#),
        "{}",
        report.deadlocks[0].text
    );
}

/// tower#408: forwarders reserve a slot of `shipments` (capacity 2) before
/// they wait for a line; `a` and `b` hold both slots, waiting on `lines`,
/// whose sender `c` holds, and `c` waits for a slot. With no message in
/// the channel only the permits' holders can free one: the deadlock is
/// `a`, `b`, `c`, and the receiver `shipper` is behind it. With a message
/// queued instead of one reservation, reading it frees a slot: nothing.
#[test]
fn a_send_into_slots_all_reserved_is_released_by_the_permits_holders() {
    let build = |len: u64, reserved: u64| {
        let mut d = Dump::new("logs");
        let [a, b, c, shipper] = ["a", "b", "c", "shipper"].map(|t| d.task(t));
        let shipments = d.channel("shipments", "mpsc", 3, 1);
        d.node(shipments)
            .attr("capacity", 2)
            .attr("len", len)
            .attr("reserved", reserved);
        let lines = d.channel("lines", "mpsc", 1, 1);
        for t in [a, b, c] {
            d.hold(shipments, t, "sender");
        }
        d.hold(shipments, shipper, "receiver");
        d.hold(lines, c, "sender");
        d.hold(lines, a, "receiver");
        d.wait(c, shipments, "send");
        d.wait(shipper, shipments, "recv");
        d.wait(a, lines, "recv");
        d.wait(b, lines, "recv");
        d.build()
    };
    let report = analyze(&[build(0, 2)]);
    let dl = only_deadlock(&report);
    assert_eq!(task_names(dl), ["a", "b", "c"], "{}", dl.text);
    assert!(
        dl.behind.iter().any(|s| s.task.name == "shipper"),
        "{}",
        dl.text
    );
    assert!(
        dl.text
            .contains("its slots reserved by permits of its senders; sender held by task"),
        "{}",
        dl.text
    );
    assert_no_deadlock(&analyze(&[build(1, 1)]));
}
