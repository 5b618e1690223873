//! The learned lock order's memory is bounded (issue 15): at most
//! `MAX_CLASSES` classes, `MAX_EDGES` edges and `HELD_MAX` held locks per
//! context are kept; what does not fit is counted, shown in the snapshot
//! and in the report's words, and never blocks, panics or confuses what
//! is learned after.
//!
//! Its own test binary (one process), since it fills the process-wide
//! tables.
#![cfg(feature = "diagnostics")]

use peeps_graph::Options;
use peeps_runtime::__private::lockorder::{HELD_MAX, MAX_CLASSES, MAX_EDGES};
use peeps_sync::blocking::Mutex;

fn mutex(name: String) -> Mutex<u32> {
    Mutex::new(0).named(name)
}

#[test]
fn classes_edges_and_held_locks_are_capped_and_what_did_not_fit_is_counted() {
    // More locks held at once than a context follows: the ones past the
    // cap are not followed, and their releases confuse nothing.
    let nested: Vec<_> = (0..HELD_MAX + 2)
        .map(|i| mutex(format!("bound-nested-{i}")))
        .collect();
    {
        let guards: Vec<_> = nested.iter().map(|m| m.lock()).collect();
        drop(guards);
    }
    let order = peeps_runtime::snapshot()
        .lock_order
        .expect("a lock order section");
    assert_eq!(order.dropped.held, 2, "{:?}", order.dropped);
    assert_eq!(order.dropped.classes, 0);
    assert_eq!(order.dropped.edges, 0);
    // The first HELD_MAX are each ordered after all the ones before them;
    // the two past the cap after those HELD_MAX (they are ordered, but not
    // kept as held, so nothing is ordered after them).
    assert_eq!(
        order.edges.len(),
        HELD_MAX * (HELD_MAX - 1) / 2 + 2 * HELD_MAX,
        "{:#?}",
        order.edges
    );

    // More classes than the table keeps: each lock beyond it is untracked.
    let known = order.classes.len();
    let extra = 5;
    let many: Vec<_> = (0..MAX_CLASSES as usize - known + extra)
        .map(|i| mutex(format!("bound-class-{i}")))
        .collect();
    for m in &many {
        drop(m.lock());
    }
    let order = peeps_runtime::snapshot()
        .lock_order
        .expect("a lock order section");
    assert_eq!(order.classes.len(), MAX_CLASSES as usize);
    assert_eq!(order.dropped.classes, extra as u64, "{:?}", order.dropped);

    // More edges than the table keeps: hold one lock, take every one after
    // it; three times over is more than MAX_EDGES edges, all in one order.
    let tracked = &many[..many.len() - extra];
    let mut made = order.edges.len();
    for (i, outer) in tracked[..3].iter().enumerate() {
        let _held = outer.lock();
        for m in &tracked[i + 1..] {
            drop(m.lock());
            made += 1;
        }
    }
    assert!(
        made > MAX_EDGES,
        "the test must make more edges than the cap: {made}"
    );
    let snap = peeps_runtime::snapshot();
    let order = snap.lock_order.as_ref().expect("a lock order section");
    assert_eq!(order.edges.len(), MAX_EDGES);
    assert_eq!(
        order.dropped.edges,
        (made - MAX_EDGES) as u64,
        "{:?}",
        order.dropped
    );

    // The report says what was not recorded, and finds no cycle in it all
    // (every lock here was taken in one order).
    let report = peeps_graph::analyze(std::slice::from_ref(&snap), &Options::default());
    assert!(report.potential_deadlocks.is_empty(), "{}", report.text());
    let note = report.lock_order[0]
        .note
        .as_deref()
        .expect("a note of what was dropped");
    assert_eq!(
        note,
        format!(
            "lock order not recorded: {extra} locks' classes (the class table is full), {} order edges (the edge \
             table is full), 2 acquisitions (a task held more locks than peeps follows, or more plain tasks held locks at once than it keeps lists for)",
            made - MAX_EDGES
        )
    );
    assert!(report.text().contains(note), "{}", report.text());
}
