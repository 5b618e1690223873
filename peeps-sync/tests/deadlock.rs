//! A lock-order inversion between two tasks shows as the 4-edge cycle:
//! each task `waits_on` the mutex the other one's guard is `held_by`.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_runtime::spawn_named;
use peeps_sync::Mutex;
use std::sync::Arc;
use support::{Graph, all, eventually, held_by, waits_on};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_order_inversion_is_a_four_edge_cycle() {
    let a = Arc::new(Mutex::new(100).named("dl-acct-1"));
    let b = Arc::new(Mutex::new(200).named("dl-acct-2"));
    let both_locked = Arc::new(tokio::sync::Barrier::new(2));
    let transfer = |name: &'static str, first: Arc<Mutex<i32>>, second: Arc<Mutex<i32>>| {
        let both_locked = both_locked.clone();
        spawn_named(name, async move {
            let mut from = first.lock().await;
            both_locked.wait().await;
            let mut to = second.lock().await;
            *from -= 1;
            *to += 1;
        })
    };
    let ta = transfer("dl-transfer-a", a.clone(), b.clone());
    let tb = transfer("dl-transfer-b", b.clone(), a.clone());

    let g = eventually(|g| {
        all(&[
            waits_on("dl-transfer-a", "dl-acct-2").op("lock").check(g),
            held_by("dl-acct-2", "dl-transfer-b")
                .as_("guard")
                .confirmed(true)
                .check(g),
            waits_on("dl-transfer-b", "dl-acct-1").op("lock").check(g),
            held_by("dl-acct-1", "dl-transfer-a")
                .as_("guard")
                .confirmed(true)
                .check(g),
        ])
    })
    .await;
    // Exactly these four edges join the four nodes.
    let ids = ["dl-transfer-a", "dl-transfer-b", "dl-acct-1", "dl-acct-2"].map(|n| g.node(n).id);
    let cycle: Vec<_> = g
        .snap
        .edges
        .iter()
        .filter(|e| ids.contains(&e.from) && ids.contains(&e.to))
        .collect();
    assert_eq!(cycle.len(), 4, "{}", g.dump());
    for acct in ["dl-acct-1", "dl-acct-2"] {
        assert_eq!(g.attr(acct, "holders"), 1);
        assert_eq!(g.attr(acct, "waiters"), 1);
    }

    // Break it: aborting the tasks drops their lock futures and guards.
    ta.abort();
    tb.abort();
    let _ = (ta.await, tb.await);
    let g = Graph::take();
    for acct in ["dl-acct-1", "dl-acct-2"] {
        assert_eq!(g.attr(acct, "holders"), 0, "{}", g.dump());
        assert_eq!(g.attr(acct, "waiters"), 0);
    }
    // Aborting one may let the other finish its transfer first: either
    // way no money was made or lost.
    assert_eq!(*a.lock().await + *b.lock().await, 300);
}

/// How a three-task cycle formed: the snapshot's history lists the three
/// acquisitions in the order they happened (each task takes its lock, then
/// spawns the next, which takes the next lock), and each wait after the
/// acquisitions it follows from. The order of two acquisitions on two
/// threads within one millisecond comes from the recorder's logical clock,
/// which a spawn carries into the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlock_timeline_lists_its_acquisitions_in_the_order_they_happened() {
    use peeps_graph::{EventKind, Options};
    let names = ["ord-1", "ord-2", "ord-3"];
    let locks: Vec<Arc<Mutex<u8>>> = names
        .iter()
        .map(|n| Arc::new(Mutex::new(0).named(*n)))
        .collect();
    let all_locked = Arc::new(tokio::sync::Barrier::new(3));
    let (tx, rx) = std::sync::mpsc::channel();
    /// Task `i` takes lock `i`, spawns task `i + 1` (up to the third), then
    /// waits for lock `i + 1` (the third: lock 0) once all hold theirs.
    fn step(
        i: usize,
        locks: Vec<Arc<Mutex<u8>>>,
        all_locked: Arc<tokio::sync::Barrier>,
        tx: std::sync::mpsc::Sender<peeps_runtime::JoinHandle<()>>,
    ) -> peeps_runtime::JoinHandle<()> {
        const TASKS: [&str; 3] = ["ord-task-1", "ord-task-2", "ord-task-3"];
        spawn_named(TASKS[i], async move {
            let _mine = locks[i].lock().await;
            if i + 1 < locks.len() {
                let next = step(i + 1, locks.clone(), all_locked.clone(), tx.clone());
                tx.send(next).unwrap();
            }
            all_locked.wait().await;
            let _next = locks[(i + 1) % locks.len()].lock().await;
        })
    }
    let first = step(0, locks.clone(), all_locked, tx);

    let g = eventually(|g| {
        all(&[
            waits_on("ord-task-1", "ord-2").op("lock").check(g),
            waits_on("ord-task-2", "ord-3").op("lock").check(g),
            waits_on("ord-task-3", "ord-1").op("lock").check(g),
        ])
    })
    .await;
    // The edges are fresh: no settling time.
    let report = peeps_graph::analyze(
        std::slice::from_ref(&g.snap),
        &Options::default().settle_ms(0),
    );
    let d = report
        .deadlocks
        .iter()
        .find(|d| d.tasks.iter().any(|t| t.name == "ord-task-1"))
        .unwrap_or_else(|| panic!("the deadlock in {report:#?} {}", g.dump()));
    let events: Vec<(EventKind, &str, &str)> = d
        .timeline
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Acquire | EventKind::Wait))
        .map(|e| {
            let name = |r: &Option<peeps_graph::analysis::NodeRef>| {
                r.as_ref().map_or(String::new(), |r| r.name.clone())
            };
            let (task, node) = (name(&e.task), name(&e.node));
            (
                e.kind,
                ["ord-task-1", "ord-task-2", "ord-task-3"]
                    .into_iter()
                    .find(|t| *t == task)
                    .unwrap_or("?"),
                names.into_iter().find(|n| *n == node).unwrap_or("?"),
            )
        })
        .collect();
    let took: Vec<_> = events
        .iter()
        .filter(|e| e.0 == EventKind::Acquire)
        .collect();
    assert_eq!(
        took,
        [
            &(EventKind::Acquire, "ord-task-1", "ord-1"),
            &(EventKind::Acquire, "ord-task-2", "ord-2"),
            &(EventKind::Acquire, "ord-task-3", "ord-3"),
        ],
        "{}",
        d.text
    );
    let mut waits: Vec<_> = events.iter().filter(|e| e.0 == EventKind::Wait).collect();
    waits.sort();
    assert_eq!(
        waits,
        [
            &(EventKind::Wait, "ord-task-1", "ord-2"),
            &(EventKind::Wait, "ord-task-2", "ord-3"),
            &(EventKind::Wait, "ord-task-3", "ord-1"),
        ],
        "{}",
        d.text
    );
    // Each task waits after it took its own lock and after the lock it
    // waits for was taken (the wait reads that lock's clock). A wait and
    // another task's acquisition that nothing links (here through tokio's
    // barrier) may fall in one millisecond in either order.
    let at = |e: (EventKind, &str, &str)| events.iter().position(|x| *x == e).unwrap();
    for (task, mine, next) in [
        ("ord-task-1", "ord-1", "ord-2"),
        ("ord-task-2", "ord-2", "ord-3"),
        ("ord-task-3", "ord-3", "ord-1"),
    ] {
        let wait = at((EventKind::Wait, task, next));
        assert!(at((EventKind::Acquire, task, mine)) < wait, "{}", d.text);
        let taker = ["ord-task-1", "ord-task-2", "ord-task-3"]
            [names.iter().position(|n| *n == next).unwrap()];
        assert!(at((EventKind::Acquire, taker, next)) < wait, "{}", d.text);
    }

    first.abort();
    for t in rx.try_iter() {
        t.abort();
    }
}
