//! Graph tests of the semaphore, Notify, Barrier and OnceCell.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::NodeKind;
use peeps_runtime::spawn_named;
use peeps_sync::{Barrier, Notify, OnceCell, Semaphore};
use std::sync::Arc;
use support::{Graph, eventually, held_by, waits_on};
use tokio::sync::oneshot;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semaphore_permits_and_waiters() {
    let s = Arc::new(Semaphore::new(3).named("go-sem"));
    let (held_tx, held_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let holder = spawn_named("go-sem-holder", {
        let s = s.clone();
        async move {
            let p = s.acquire_many(2).await.unwrap();
            let owned = s.clone().acquire_owned().await.unwrap();
            held_tx.send(()).unwrap();
            release_rx.await.unwrap();
            drop((p, owned));
            std::future::pending::<()>().await;
        }
    });
    held_rx.await.unwrap();
    let waiter = spawn_named("go-sem-waiter", {
        let s = s.clone();
        async move {
            let _p = s.acquire().await.unwrap();
        }
    });
    let g = eventually(|g| {
        waits_on("go-sem-waiter", "go-sem")
            .op("acquire")
            .target_kind(NodeKind::Semaphore)
            .check(g)?;
        // The owned permit is found in the holder's state once the poll
        // that sent `held` has ended (a snapshot may come before).
        let in_state = g
            .edges(
                peeps_graph::EdgeKind::HeldBy,
                g.node("go-sem"),
                g.node("go-sem-holder"),
            )
            .iter()
            .any(|e| e.attrs.get("in_state").and_then(|v| v.as_bool()) == Some(true));
        in_state
            .then_some(())
            .ok_or_else(|| "the owned permit is not found in its holder's state yet".to_owned())
    })
    .await;
    let edges = g.edges(
        peeps_graph::EdgeKind::HeldBy,
        g.node("go-sem"),
        g.node("go-sem-holder"),
    );
    assert_eq!(edges.len(), 2, "{}", g.dump());
    assert!(edges.iter().all(|e| e.attrs["as"] == "permit"));
    // One borrowed permit (bound to its task), one owned: made there, and
    // found in the holder's own state while it waits.
    let mut evidence: Vec<(Option<&str>, Option<bool>)> = edges
        .iter()
        .map(|e| {
            (
                e.attrs.get("evidence").and_then(|v| v.as_str()),
                e.attrs.get("in_state").and_then(|v| v.as_bool()),
            )
        })
        .collect();
    evidence.sort();
    assert_eq!(
        evidence,
        [(None, None), (Some("made"), Some(true))],
        "{}",
        g.dump()
    );
    assert_eq!(g.attr("go-sem", "permits"), 3);
    assert_eq!(g.attr("go-sem", "available"), 0);
    release_tx.send(()).unwrap();
    waiter.await.unwrap();
    let g = Graph::take();
    assert_eq!(
        g.edges(
            peeps_graph::EdgeKind::HeldBy,
            g.node("go-sem"),
            g.node("go-sem-holder")
        )
        .len(),
        0
    );
    assert_eq!(g.attr("go-sem", "available"), 3);
    s.add_permits(2);
    s.acquire().await.unwrap().forget();
    let g = Graph::take();
    assert_eq!(g.attr("go-sem", "permits"), 4);
    assert_eq!(g.attr("go-sem", "available"), 4);
    holder.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notify_wait_is_on_a_notify_node() {
    let n = Arc::new(Notify::new().named("go-notify"));
    let task = spawn_named("go-notify-task", {
        let n = n.clone();
        async move { n.notified().await }
    });
    let g = eventually(|g| {
        waits_on("go-notify-task", "go-notify")
            .op("notified")
            .target_kind(NodeKind::Notify)
            .check(g)
    })
    .await;
    assert_eq!(g.attr("go-notify", "holders"), 0);
    n.notify_one();
    task.await.unwrap();
    let owned = spawn_named("go-notify-owned", {
        let n = n.clone();
        async move { n.notified_owned().await }
    });
    eventually(|g| {
        waits_on("go-notify-owned", "go-notify")
            .op("notified")
            .check(g)
    })
    .await;
    n.notify_waiters();
    owned.await.unwrap();
    assert_eq!(Graph::take().attr("go-notify", "waiters"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn barrier_waits_until_all_arrive() {
    let b = Arc::new(Barrier::new(2).named("go-barrier"));
    let first = spawn_named("go-barrier-first", {
        let b = b.clone();
        async move { b.wait().await.is_leader() }
    });
    let g = eventually(|g| {
        waits_on("go-barrier-first", "go-barrier")
            .op("barrier")
            .target_kind(NodeKind::Notify)
            .check(g)
    })
    .await;
    assert_eq!(g.attr("go-barrier", "waiters"), 1);
    let leader = b.wait().await.is_leader();
    assert_ne!(first.await.unwrap(), leader, "exactly one leader");
    assert_eq!(Graph::take().attr("go-barrier", "waiters"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_cell_waiter_but_not_initialiser() {
    let cell = Arc::new(OnceCell::new().named("go-once"));
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let init = spawn_named("go-once-init", {
        let cell = cell.clone();
        async move {
            *cell
                .get_or_init(|| async move {
                    started_tx.send(()).unwrap();
                    go_rx.await.unwrap();
                    7
                })
                .await
        }
    });
    started_rx.await.unwrap();
    let waiter = spawn_named("go-once-waiter", {
        let cell = cell.clone();
        async move { *cell.get_or_init(|| async { 8 }).await }
    });
    let g = eventually(|g| waits_on("go-once-waiter", "go-once").op("init").check(g)).await;
    waits_on("go-once-init", "go-once").assert_absent(&g);
    go_tx.send(()).unwrap();
    assert_eq!(init.await.unwrap(), 7);
    assert_eq!(waiter.await.unwrap(), 7);
    let g = Graph::take();
    held_by("go-once", "go-once-init").assert_absent(&g);
    assert_eq!(g.attr("go-once", "waiters"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semaphore_available_counts_the_permits_each_hold_carries() {
    let s = Arc::new(Semaphore::new(200_000).named("go-sem-weights"));
    let look = || {
        let g = Graph::take();
        let id = g.node("go-sem-weights").id;
        let edges = g
            .snap
            .edges
            .iter()
            .filter(|e| e.kind == peeps_graph::EdgeKind::HeldBy && e.from == id)
            .count();
        let attr = |k| g.attr("go-sem-weights", k).as_u64().unwrap();
        (attr("permits"), attr("available"), edges)
    };
    // Two lock-free slots (5 and 7) and one hold too heavy for a slot.
    let mut a = s.acquire_many(5).await.unwrap();
    let b = s.acquire_many(100_000).await.unwrap();
    let c = s.clone().acquire_many_owned(7).await.unwrap();
    assert_eq!(look(), (200_000, 99_988, 3));
    // Split: a keeps 3, d (no free slot left) carries 2.
    let d = a.split(2).unwrap();
    assert_eq!(look(), (200_000, 99_988, 4));
    a.merge(d);
    assert_eq!(look(), (200_000, 99_988, 3));
    // Merging the heavy permit makes a too heavy for its slot.
    a.merge(b);
    assert_eq!(a.num_permits(), 100_005);
    assert_eq!(look(), (200_000, 99_988, 2));
    a.forget();
    assert_eq!(look(), (99_995, 99_988, 1));
    drop(c);
    assert_eq!(look(), (99_995, 99_995, 0));
    assert_eq!(s.available_permits(), 99_995);
}

/// An owned permit that travels through memory peeps does not read (a
/// `Vec` behind a std mutex, as a pool's list of connections to close) and
/// is let go by another task marks its semaphore `moved_unseen` with that
/// task; one moved into a task at spawn (a move peeps sees) and let go
/// there marks nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permit_let_go_where_peeps_never_saw_it_go_marks_its_semaphore() {
    let unseen = Arc::new(Semaphore::new(1).named("mu-unseen"));
    let seen = Arc::new(Semaphore::new(1).named("mu-seen"));
    let list = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (filed_tx, filed_rx) = oneshot::channel::<()>();
    spawn_named("mu-taker", {
        let (unseen, seen, list) = (unseen.clone(), seen.clone(), list.clone());
        async move {
            let retired = unseen.acquire_owned().await.unwrap();
            list.lock().unwrap().push(retired);
            let kept = seen.acquire_owned().await.unwrap();
            spawn_named("mu-seen-dropper", async move { drop(kept) })
                .await
                .unwrap();
            filed_tx.send(()).unwrap();
            std::future::pending::<()>().await;
        }
    });
    filed_rx.await.unwrap();
    spawn_named("mu-closer", {
        let list = list.clone();
        async move {
            drop(std::mem::take(&mut *list.lock().unwrap()));
            std::future::pending::<()>().await;
        }
    });
    let g = eventually(|g| {
        let closer = g.find("mu-closer")?.id;
        match g.attr("mu-unseen", "moved_unseen").as_u64() {
            Some(id) if id == closer => Ok(()),
            other => Err(format!(
                "moved_unseen of mu-unseen is {other:?}, not {closer}"
            )),
        }
    })
    .await;
    assert_eq!(
        g.attr("mu-seen", "moved_unseen"),
        serde_json::Value::Null,
        "{}",
        g.dump()
    );
    assert_eq!(unseen.available_permits(), 1);
    assert_eq!(seen.available_permits(), 1);
}
