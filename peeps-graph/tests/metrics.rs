//! The per-process numbers behind `/metrics`: each finding counts in the
//! process of its tasks (peeps_graph::metrics documents the rule).

mod support;

use peeps_graph::analysis::{Certainty, Options};
use peeps_graph::merge;
use peeps_graph::metrics::{ProcessMetrics, analyze_with_metrics};
use support::*;

fn metrics_of(snaps: &[peeps_graph::Snapshot]) -> Vec<ProcessMetrics> {
    let merged = merge(snaps);
    let (report, metrics) = analyze_with_metrics(&merged, &Options::default());
    assert_eq!(
        report,
        peeps_graph::analyze_merged(&merged, &Options::default())
    );
    metrics
}

#[test]
fn a_deadlock_counts_in_its_process_only() {
    let mut a = Dump::new("a");
    let t1 = a.task("t1");
    let t2 = a.task("t2");
    let behind = a.task("behind");
    let m1 = a.mutex("m1");
    let m2 = a.mutex("m2");
    a.hold(m1, t1, "guard");
    a.hold(m2, t2, "guard");
    a.wait(t1, m2, "lock");
    a.wait(t2, m1, "lock");
    a.wait(behind, m1, "lock");
    let running = a.task("running");
    a.node(running).state("polling", 10);
    let done = a.task("done");
    a.node(done).state("done", 10);

    let mut b = Dump::new("b");
    b.task("idle");

    let metrics = metrics_of(&[a.build(), b.build()]);
    let [ma, mb] = &metrics[..] else {
        panic!("one entry per process: {metrics:?}")
    };
    assert_eq!((ma.process.as_str(), ma.key.as_str()), ("a", "a-key"));
    assert_eq!(ma.deadlocks(Certainty::Certain), 1);
    assert_eq!(ma.deadlocks(Certainty::Probable), 0);
    assert_eq!(
        ma.deadlocked_tasks, 3,
        "the cycle's two and the one behind it"
    );
    assert_eq!(ma.live_tasks, 4, "t1, t2, behind, running; not done");
    assert_eq!(ma.blocked_tasks, 3, "running is not blocked");
    assert!(!ma.stale);

    assert_eq!(mb.process, "b");
    assert_eq!(mb.deadlocks(Certainty::Certain), 0);
    assert_eq!(mb.deadlocked_tasks, 0);
    assert_eq!((mb.live_tasks, mb.blocked_tasks), (1, 1));
}

#[test]
fn a_cross_process_deadlock_counts_in_each_process() {
    // a's client holds "cache" and calls b; b's handler calls back into a,
    // whose handler waits on "cache".
    let mut a = Dump::new("a");
    let mut b = Dump::new("b");
    let client = a.task("client");
    let cache = a.mutex("cache");
    a.hold(cache, client, "guard");
    let fetch = a.request("fetch", "a-key/1");
    a.wait(client, fetch, "call");
    let lookup_handler = a.task("lookup-handler");
    a.handler("lookup", "b-key/1", lookup_handler);
    a.wait(lookup_handler, cache, "lock");
    let fetch_handler = b.task("fetch-handler");
    b.handler("fetch", "a-key/1", fetch_handler);
    let lookup = b.request("lookup", "b-key/1");
    b.wait(fetch_handler, lookup, "call");

    let metrics = metrics_of(&[a.build(), b.build()]);
    assert_eq!(metrics.len(), 2);
    for m in &metrics {
        assert_eq!(m.deadlocks(Certainty::Certain), 1, "{m:?}");
    }
    assert_eq!(metrics[0].deadlocked_tasks, 2);
    assert_eq!(metrics[1].deadlocked_tasks, 1);
}

#[test]
fn stalls_count_in_the_waiting_task_s_process() {
    let mut a = Dump::new("a");
    // Sleeping with the lock held: a timer holds an unaccounted clone.
    let sleeper = a.task("sleeper");
    a.node(sleeper).attr("waker_clones_accounted", 0);
    let m = a.mutex("m");
    a.hold(m, sleeper, "guard");
    let waiter = a.task("waiter");
    a.wait(waiter, m, "lock").age(12_000);
    let lost = a.task("lost");
    a.node(lost)
        .attr("waker_clones", 0)
        .attr("waker_clones_accounted", 0);
    let metrics = metrics_of(&[a.build()]);
    let m = &metrics[0];
    assert_eq!(m.long_waits, 1, "{m:?}");
    assert_eq!(m.stuck_forever, 1, "{m:?}");
    assert_eq!(m.deadlocks(Certainty::Certain), 0);
    assert_eq!(m.host, None);
}
