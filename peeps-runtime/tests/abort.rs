//! A peeps task aborted through its `JoinHandle` is about to be dropped,
//! not pending: until tokio drops it, a snapshot shows it woken.

#![cfg(feature = "diagnostics")]

use peeps_graph::attr;
use peeps_runtime::task::spawn_named;

#[test]
fn an_aborted_task_reads_woken_until_it_is_dropped() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let handle = spawn_named("ab-victim", std::future::pending::<()>());
        // Let it run once: pending, not woken.
        tokio::task::yield_now().await;
        let woken = |snap: &peeps_graph::Snapshot| {
            snap.nodes
                .iter()
                .find(|n| n.name == "ab-victim")
                .map(|n| n.attrs.get(attr::WOKEN).and_then(|v| v.as_bool()))
        };
        assert_eq!(woken(&peeps_runtime::snapshot()), Some(Some(false)));
        handle.abort();
        // A current-thread runtime drops it only at its next turn.
        assert_eq!(woken(&peeps_runtime::snapshot()), Some(Some(true)));
        assert!(handle.await.unwrap_err().is_cancelled());
    });
}
