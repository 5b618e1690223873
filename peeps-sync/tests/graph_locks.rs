//! Graph tests of the locks: the exact `waits_on` and `held_by` edges while
//! a task is blocked, and that they are gone after release or cancellation.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::NodeKind;
use peeps_runtime::spawn_named;
use peeps_sync::{Mutex, RwLock};
use std::sync::Arc;
use support::{Graph, eventually, held_by, waits_on};
use tokio::sync::oneshot;

/// A plain tokio signal (not instrumented, so it adds no node).
fn signal() -> (oneshot::Sender<()>, oneshot::Receiver<()>) {
    oneshot::channel()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutex_edges_follow_the_guard() {
    let m = Arc::new(Mutex::new(0).named("gl-m"));
    let (locked_tx, locked_rx) = signal();
    let (release_tx, release_rx) = signal();
    let holder = spawn_named("gl-m-holder", {
        let m = m.clone();
        async move {
            let g = m.lock().await;
            locked_tx.send(()).unwrap();
            release_rx.await.unwrap();
            drop(g);
            std::future::pending::<()>().await;
        }
    });
    locked_rx.await.unwrap();
    let (got_tx, got_rx) = signal();
    let (done_tx, done_rx) = signal();
    let waiter = spawn_named("gl-m-waiter", {
        let m = m.clone();
        async move {
            let mut g = m.lock().await;
            *g += 1;
            got_tx.send(()).unwrap();
            done_rx.await.unwrap();
        }
    });

    let g = eventually(|g| {
        waits_on("gl-m-waiter", "gl-m")
            .op("lock")
            .target_kind(NodeKind::Mutex)
            .check(g)
    })
    .await;
    held_by("gl-m", "gl-m-holder")
        .as_("guard")
        .confirmed(true)
        .assert_in(&g);
    assert_eq!(g.attr("gl-m", "holders"), 1);
    assert_eq!(g.attr("gl-m", "waiters"), 1);
    assert_eq!(g.node("gl-m").state.as_deref(), Some("held"));

    release_tx.send(()).unwrap();
    got_rx.await.unwrap();
    // Both tasks still live: the holder moved on, the waiter holds.
    let g = Graph::take();
    waits_on("gl-m-waiter", "gl-m").assert_absent(&g);
    held_by("gl-m", "gl-m-holder").assert_absent(&g);
    held_by("gl-m", "gl-m-waiter").as_("guard").assert_in(&g);
    assert_eq!(g.attr("gl-m", "waiters"), 0);

    done_tx.send(()).unwrap();
    waiter.await.unwrap();
    let g = Graph::take();
    assert_eq!(g.attr("gl-m", "holders"), 0);
    assert_eq!(g.node("gl-m").state.as_deref(), Some("free"));
    holder.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapped_guard_keeps_the_hold_until_it_drops() {
    let m = Arc::new(Mutex::new((1u8, 2u8)).named("gl-map"));
    let (mapped_tx, mapped_rx) = signal();
    let (release_tx, release_rx) = signal();
    let holder = spawn_named("gl-map-holder", {
        let m = m.clone();
        async move {
            let g = m.lock().await;
            let Err(g) = peeps_sync::MutexGuard::try_map(g, |_| None::<&mut u8>) else {
                unreachable!("`None` gives the guard back")
            };
            let mut part = peeps_sync::MutexGuard::map(g, |v| &mut v.1);
            *part += 1;
            mapped_tx.send(()).unwrap();
            release_rx.await.unwrap();
            drop(part);
            std::future::pending::<()>().await;
        }
    });
    mapped_rx.await.unwrap();
    let g = Graph::take();
    held_by("gl-map", "gl-map-holder")
        .as_("guard")
        .confirmed(true)
        .assert_in(&g);
    assert_eq!(g.attr("gl-map", "holders"), 1);
    assert!(m.try_lock().is_err(), "the mapped guard holds the lock");
    release_tx.send(()).unwrap();
    let g = eventually(|g| held_by("gl-map", "gl-map-holder").check_absent(g)).await;
    assert_eq!(g.attr("gl-map", "holders"), 0);
    assert_eq!(*m.lock().await, (1, 3));
    holder.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_lock_leaves_no_edge() {
    let m = Arc::new(Mutex::new(()).named("gl-cancel"));
    let guard = m.lock().await;
    let (cancel_tx, cancel_rx) = signal();
    let (end_tx, end_rx) = signal();
    let task = spawn_named("gl-cancel-task", {
        let m = m.clone();
        async move {
            tokio::select! {
                _ = m.lock() => unreachable!("the lock is held"),
                _ = cancel_rx => {}
            }
            end_rx.await.unwrap();
        }
    });
    eventually(|g| waits_on("gl-cancel-task", "gl-cancel").op("lock").check(g)).await;
    cancel_tx.send(()).unwrap();
    let g = eventually(|g| waits_on("gl-cancel-task", "gl-cancel").check_absent(g)).await;
    // The task is still alive: the edge went with the dropped lock future.
    g.node("gl-cancel-task");
    assert_eq!(g.attr("gl-cancel", "waiters"), 0);
    drop(guard);
    end_tx.send(()).unwrap();
    task.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owned_guard_is_unconfirmed_and_released_on_another_task() {
    let m = Arc::new(Mutex::new(5).named("gl-owned"));
    let (guard_tx, guard_rx) = oneshot::channel();
    let (locked_tx, locked_rx) = signal();
    let locker = spawn_named("gl-owned-locker", {
        let m = m.clone();
        async move {
            let g = m.lock_owned().await;
            locked_tx.send(()).unwrap();
            guard_tx.send(g).unwrap();
            std::future::pending::<()>().await;
        }
    });
    locked_rx.await.unwrap();
    let g = eventually(|g| {
        held_by("gl-owned", "gl-owned-locker")
            .as_("guard")
            .confirmed(false)
            .check(g)
    })
    .await;
    assert_eq!(g.attr("gl-owned", "holders"), 1);
    let dropper = spawn_named("gl-owned-dropper", async move {
        let guard = guard_rx.await.unwrap();
        assert_eq!(*guard, 5);
        drop(guard);
    });
    dropper.await.unwrap();
    let g = Graph::take();
    held_by("gl-owned", "gl-owned-locker").assert_absent(&g);
    assert_eq!(g.attr("gl-owned", "holders"), 0);
    assert!(m.try_lock().is_ok());
    locker.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rwlock_readers_and_a_writer() {
    let l = Arc::new(RwLock::new(0).named("gl-rw"));
    let (read_tx, read_rx) = signal();
    let (release_tx, release_rx) = signal();
    let reader = spawn_named("gl-rw-reader", {
        let l = l.clone();
        async move {
            let a = l.read().await;
            let b = l.read().await;
            read_tx.send(()).unwrap();
            release_rx.await.unwrap();
            drop((a, b));
            std::future::pending::<()>().await;
        }
    });
    read_rx.await.unwrap();
    let writer = spawn_named("gl-rw-writer", {
        let l = l.clone();
        async move {
            *l.write().await += 1;
        }
    });
    let g = eventually(|g| {
        waits_on("gl-rw-writer", "gl-rw")
            .op("write")
            .target_kind(NodeKind::Rwlock)
            .check(g)
    })
    .await;
    // Two read guards of one task: two held_by edges would be ambiguous to
    // the helper, so count them.
    let (rw, task) = (g.node("gl-rw"), g.node("gl-rw-reader"));
    let reads = g.edges(peeps_graph::EdgeKind::HeldBy, rw, task);
    assert_eq!(reads.len(), 2, "{}", g.dump());
    assert!(reads.iter().all(|e| e.attrs["as"] == "read_guard"));
    assert_eq!(g.attr("gl-rw", "readers"), 2);
    assert_eq!(g.attr("gl-rw", "holders"), 2);
    release_tx.send(()).unwrap();
    writer.await.unwrap();
    let g = Graph::take();
    assert_eq!(g.attr("gl-rw", "readers"), 0);
    assert_eq!(
        g.edges(
            peeps_graph::EdgeKind::HeldBy,
            g.node("gl-rw"),
            g.node("gl-rw-reader")
        )
        .len(),
        0
    );
    reader.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rwlock_downgrade_changes_the_edge() {
    let l = Arc::new(RwLock::new(1).named("gl-down"));
    let (step_tx, step_rx) = signal();
    let (next_tx, next_rx) = signal();
    let (step2_tx, step2_rx) = signal();
    let task = spawn_named("gl-down-task", {
        let l = l.clone();
        async move {
            let w = l.write().await;
            step_tx.send(()).unwrap();
            next_rx.await.unwrap();
            let r = w.downgrade();
            step2_tx.send(()).unwrap();
            std::future::pending::<()>().await;
            drop(r);
        }
    });
    step_rx.await.unwrap();
    let g = Graph::take();
    held_by("gl-down", "gl-down-task")
        .as_("guard")
        .assert_in(&g);
    next_tx.send(()).unwrap();
    step2_rx.await.unwrap();
    let g = Graph::take();
    held_by("gl-down", "gl-down-task")
        .as_("read_guard")
        .assert_in(&g);
    assert_eq!(g.attr("gl-down", "readers"), 1);
    assert_eq!(*l.read().await, 1);
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_mutex_parked_thread_waits_on() {
    let m = Arc::new(peeps_sync::blocking::Mutex::new(0).named("gl-pl"));
    let guard = m.lock();
    let t = std::thread::Builder::new()
        .name("gl-pl-thread".into())
        .spawn({
            let m = m.clone();
            move || *m.lock() += 1
        })
        .unwrap();
    let g = eventually(|g| waits_on("thread gl-pl-thread", "gl-pl").op("lock").check(g)).await;
    assert_eq!(g.attr("gl-pl", "blocking"), true);
    assert_eq!(g.attr("gl-pl", "holders"), 1);
    let holder = g
        .snap
        .edges
        .iter()
        .find(|e| e.kind == peeps_graph::EdgeKind::HeldBy && e.from == g.node("gl-pl").id);
    assert!(holder.is_some(), "{}", g.dump());
    drop(guard);
    t.join().unwrap();
    let g = Graph::take();
    waits_on("thread gl-pl-thread", "gl-pl").assert_absent(&g);
    assert_eq!(g.attr("gl-pl", "holders"), 0);
    assert_eq!(*m.lock(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_rwlock_upgrade_and_static_naming() {
    static L: peeps_sync::blocking::RwLock<u32> = peeps_sync::blocking::RwLock::new(0);
    // The one rwlock of this file named after its site (another test's
    // lock is so named only for the instant between `new` and `.named`).
    let site = |g: &Graph| -> Result<String, String> {
        let mut it = g
            .snap
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Rwlock && n.name.contains("graph_locks.rs:"));
        match (it.next(), it.next()) {
            (Some(n), None) => Ok(n.name.clone()),
            _ => Err("not exactly one site-named rwlock".into()),
        }
    };
    let up = L.upgradable_read();
    let g = eventually(|g| site(g).map(|_| ())).await;
    let name = site(&g).unwrap();
    held_by(&name, "x").assert_absent(&g);
    assert_eq!(
        g.attr(&name, "readers"),
        1,
        "an upgradable read counts as a reader"
    );
    let mut w = peeps_sync::blocking::RwLockUpgradableReadGuard::upgrade(up);
    *w += 1;
    drop(w);
    assert_eq!(*L.read(), 1);
    let g = eventually(|g| site(g).map(|_| ())).await;
    assert_eq!(g.attr(&name, "holders"), 0);
    assert_eq!(g.attr(&name, "blocking"), true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_rwlock_writer_parks_behind_readers() {
    let l = Arc::new(peeps_sync::blocking::RwLock::new(0).named("gl-plrw"));
    let r = l.read();
    let t = std::thread::Builder::new()
        .name("gl-plrw-writer".into())
        .spawn({
            let l = l.clone();
            move || *l.write() += 1
        })
        .unwrap();
    let g = eventually(|g| {
        waits_on("thread gl-plrw-writer", "gl-plrw")
            .op("write")
            .target_kind(NodeKind::Rwlock)
            .check(g)
    })
    .await;
    assert_eq!(g.attr("gl-plrw", "readers"), 1);
    assert_eq!(g.attr("gl-plrw", "blocking"), true);
    drop(r);
    t.join().unwrap();
    let g = Graph::take();
    waits_on("thread gl-plrw-writer", "gl-plrw").assert_absent(&g);
    assert_eq!(g.attr("gl-plrw", "readers"), 0);
    assert_eq!(g.attr("gl-plrw", "holders"), 0);
    assert_eq!(*l.read(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_tokio_tasks_hold_and_wait_as_their_own_nodes() {
    // Only the sync types are peeps': the tasks are spawned by tokio.
    let m = Arc::new(Mutex::new(0).named("gl-plain"));
    let (locked_tx, locked_rx) = signal();
    let (release_tx, release_rx) = signal();
    let holder = tokio::spawn({
        let m = m.clone();
        async move {
            let g = m.lock().await;
            locked_tx.send(()).unwrap();
            release_rx.await.unwrap();
            drop(g);
        }
    });
    locked_rx.await.unwrap();
    let waiter = tokio::spawn({
        let m = m.clone();
        async move { *m.lock().await += 1 }
    });
    let holder_name = format!("tokio task {}", holder.id());
    let waiter_name = format!("tokio task {}", waiter.id());
    let g = eventually(|g| {
        support::all(&[
            held_by("gl-plain", &holder_name).as_("guard").check(g),
            waits_on(&waiter_name, "gl-plain").op("lock").check(g),
        ])
    })
    .await;
    for (name, task) in [(&holder_name, holder.id()), (&waiter_name, waiter.id())] {
        let node = g.node(name);
        assert_eq!(node.kind, NodeKind::Task);
        assert_eq!(g.attr(name, "tracked"), false);
        assert_eq!(
            g.attr(name, "tokio_task_id"),
            task.to_string().parse::<u64>().unwrap()
        );
    }
    release_tx.send(()).unwrap();
    holder.await.unwrap();
    waiter.await.unwrap();
    let g = Graph::take();
    assert_eq!(g.attr("gl-plain", "holders"), 0);
    assert!(
        g.find(&holder_name).is_err() && g.find(&waiter_name).is_err(),
        "nothing names the finished tasks any more: {}",
        g.dump()
    );
}
