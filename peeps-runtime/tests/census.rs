//! The task census of a snapshot (`Snapshot::tasks`): the tokio tasks alive
//! in the runtimes peeps has seen, and how many of them peeps cannot see
//! into. Its own process, and one test: the census counts every task of
//! the process.

#![cfg(feature = "diagnostics")]

use peeps_graph::{NodeKind, Snapshot, attr};
use peeps_runtime::future::instrument;
use peeps_runtime::task::{spawn, task_future};
use std::future::pending;
use std::panic::Location;
use std::time::Duration;

/// Snapshots until `done` holds (each peeps task has its tokio id, each
/// instrumented top-level future is registered after its first poll).
async fn snapshot_when(done: impl Fn(&Snapshot) -> bool) -> Snapshot {
    loop {
        let snap = peeps_runtime::snapshot();
        if done(&snap) {
            return snap;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Task nodes with a tokio id (peeps tasks once polled, and the node of a
/// plain task whose instrumented top-level future was polled), and the
/// instrumented futures named `top` registered.
fn polled(snap: &Snapshot) -> (usize, usize) {
    let tasks = snap
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Task && n.attrs.contains_key(attr::TOKIO_TASK_ID))
        .count();
    let tops = snap.nodes.iter().filter(|n| n.name == "top").count();
    (tasks, tops)
}

#[test]
fn census() {
    counts_the_tasks_peeps_cannot_see_into();
    a_block_on_body_is_no_tokio_task();
}

fn counts_the_tasks_peeps_cannot_see_into() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..2 {
            spawn(pending::<()>());
        }
        let plain: Vec<_> = (0..3).map(|_| tokio::spawn(pending::<()>())).collect();
        // A plain task peeps reads: its top-level future is instrumented.
        tokio::spawn(instrument("top", "tests/census.rs", pending::<()>()));
        let snap = snapshot_when(|s| polled(s) == (3, 1)).await;
        assert_eq!(tasks(&snap), (6, 3));
        // This thread drives the runtime's `block_on` (as a main thread
        // does), its two workers run tasks, peeps' own threads are its
        // own: no thread is unseen.
        assert_eq!(unseen_threads(&snap), 0);

        for p in &plain[..2] {
            p.abort();
        }
        let snap = snapshot_when(|s| s.tasks.is_some_and(|t| t.alive == 4)).await;
        assert_eq!(tasks(&snap), (4, 1));

        // A `std::thread` is one peeps cannot see into while it lives.
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || stopped.recv());
        let snap = peeps_runtime::snapshot();
        assert_eq!(unseen_threads(&snap), 1);
        drop(stop);
        thread.join().unwrap().unwrap_err();
        // The kernel counts a joined thread a moment longer.
        let gone = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(5));
            unseen_threads(&peeps_runtime::snapshot()) == 0
        });
        assert!(gone, "the joined thread is still counted");

        // A `std::thread` that spawns a peeps task through the runtime's
        // handle drives it outside its tasks: seen, but with no root it
        // runs code peeps cannot see (counted apart, as driving threads
        // with no root).
        let rootless = |s: &Snapshot| s.tasks.and_then(|t| t.rootless_drivers);
        let before = rootless(&peeps_runtime::snapshot()).expect("counted");
        let handle = tokio::runtime::Handle::current();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let watcher = std::thread::spawn(move || {
            let _in = handle.enter();
            spawn(pending::<()>());
            stopped.recv()
        });
        let seen = (0..200).any(|_| {
            std::thread::sleep(Duration::from_millis(5));
            rootless(&peeps_runtime::snapshot()) == Some(before + 1)
        });
        assert!(
            seen,
            "the spawning thread is not counted as a driver with no root"
        );
        assert_eq!(unseen_threads(&peeps_runtime::snapshot()), 0);
        drop(stop);
        watcher.join().unwrap().unwrap_err();
        assert_eq!(rootless(&peeps_runtime::snapshot()), Some(before));

        // So is a `spawn_blocking` thread, busy or idle (tokio keeps an
        // idle one for a while, and peeps cannot tell them apart).
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let blocking = tokio::task::spawn_blocking(move || wait.recv());
        assert_eq!(unseen_threads(&peeps_runtime::snapshot()), 1);
        drop(go);
        blocking.await.unwrap().unwrap_err();
        assert_eq!(unseen_threads(&peeps_runtime::snapshot()), 1);
    });
}

/// A snapshot's census of tasks: alive, unseen.
fn tasks(snap: &Snapshot) -> (u64, u64) {
    let census = snap.tasks.expect("a census");
    (census.alive, census.unseen)
}

/// A snapshot's count of the threads peeps cannot see into.
fn unseen_threads(snap: &Snapshot) -> u64 {
    let census = snap.tasks.expect("a census");
    assert!(census.threads > census.unseen_threads, "{census:?}");
    census.unseen_threads
}

/// A peeps task driven by `block_on` (as `#[peeps::test]` drives its body)
/// is no tokio task: it is not among the alive, nor among those seen. The
/// runtime of the first part is gone, and this thread noted that one: the
/// first snapshot finds a task no runtime noted has, so it takes one task
/// as unseen (it cannot rule one out), and the thread notes this runtime at
/// its next spawn.
fn a_block_on_body_is_no_tokio_task() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = task_future("body".into(), Location::caller(), async {
        spawn(pending::<()>());
        let _plain = tokio::spawn(pending::<()>());
        let missed = snapshot_when(|s| polled(s).0 == 1).await;
        spawn(pending::<()>());
        let counted = snapshot_when(|s| polled(s).0 == 2).await;
        (missed.tasks, counted.tasks)
    });
    let (missed, counted) = rt.block_on(body);
    let tasks = |c: Option<peeps_graph::TaskCensus>| c.map(|c| (c.alive, c.unseen));
    assert_eq!(tasks(missed), Some((0, 1)));
    assert_eq!(tasks(counted), Some((3, 1)));
}
