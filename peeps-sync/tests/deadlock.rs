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
