//! Graph tests of awaits on plain tokio `JoinHandle`s: a root whose waker
//! peeps counts waits on the plain task it awaits (`task_join`).
#![cfg(feature = "diagnostics")]

mod support;

use peeps_graph::{EdgeKind, NodeKind};
use peeps_sync::mpsc;
use support::Graph;

/// The name of the node waiting (op `join`) on the plain task numbered
/// `task`, once one does (a snapshot from another thread, up to 30 s), and
/// that waiter's `waker_clones`. Blocks its thread.
fn join_waiter(task: &str) -> (String, NodeKind, Option<u64>) {
    let w = join_waiter_node(task);
    let clones = w
        .attrs
        .get("waker_clones")
        .and_then(serde_json::Value::as_u64);
    (w.name, w.kind, clones)
}

/// The node waiting (op `join`) on the plain task numbered `task`, as
/// [`join_waiter`] finds it.
fn join_waiter_node(task: &str) -> peeps_graph::Node {
    for _ in 0..3000 {
        let g = Graph::take();
        if let Some(joined) = task_numbered(&g, task)
            && let Some(e) = g.snap.edges.iter().find(|e| {
                e.to == joined.id
                    && e.kind == EdgeKind::WaitsOn
                    && e.attrs.get("op").and_then(|v| v.as_str()) == Some("join")
            })
        {
            return g
                .snap
                .nodes
                .iter()
                .find(|n| n.id == e.from)
                .expect("its waiter")
                .clone();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("nothing waits on task {task}: {}", Graph::take().dump());
}

/// The node of the task tokio numbers `task`, if `g` has one.
fn task_numbered<'g>(g: &'g Graph, task: &str) -> Option<&'g peeps_graph::Node> {
    g.snap.nodes.iter().find(|n| {
        n.kind == NodeKind::Task
            && n.attrs
                .get("tokio_task_id")
                .map(ToString::to_string)
                .as_deref()
                == Some(task)
    })
}

/// Waits once on a peeps receive from channel `name` that a thread sends
/// into 50 ms later: a pending wait, so the caller's waker is counted.
async fn wait_once(name: &'static str) {
    let (tx, mut rx) = mpsc::channel_named::<u32>(name, 1);
    let feeder = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        tx.blocking_send(1).unwrap();
    });
    assert_eq!(rx.recv().await, Some(1));
    feeder.join().unwrap();
}

/// A `block_on` thread (tokio's parked-thread waker, counted) awaiting a
/// plain task's `JoinHandle` waits on that task: its one waker clone is the
/// handle's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_awaiting_a_plain_tasks_handle_waits_on_it() {
    // One pending peeps wait first: the thread's waker is counted from then.
    wait_once("tj-first").await;

    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-jobs", 1);
    let worker = tokio::spawn(async move { rx.recv().await });
    let task = worker.id().to_string();
    let probe = std::thread::spawn(move || {
        let seen = join_waiter(&task);
        tx.blocking_send(7).unwrap();
        seen
    });
    assert_eq!(worker.await.unwrap(), Some(7));
    let (name, kind, clones) = probe.join().unwrap();
    assert_eq!(kind, NodeKind::Thread, "{name}");
    assert_eq!(clones, Some(1), "{name}: the handle's clone alone");
}

/// The same when every peeps wait of the thread was ready at once (it
/// only sent): its waker is counted from the first of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_that_only_sent_awaiting_a_plain_tasks_handle_waits_on_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-sent", 2);
    tx.send(1).await.unwrap();
    let worker = tokio::spawn(async move {
        let first = rx.recv().await;
        (first, rx.recv().await)
    });
    let task = worker.id().to_string();
    let probe = std::thread::spawn(move || {
        let seen = join_waiter(&task);
        tx.blocking_send(7).unwrap();
        seen
    });
    assert_eq!(worker.await.unwrap(), (Some(1), Some(7)));
    let (name, kind, clones) = probe.join().unwrap();
    assert_eq!(kind, NodeKind::Thread, "{name}");
    assert_eq!(clones, Some(1), "{name}: the handle's clone alone");
}

/// A plain task (tokio's task waker, counted) awaiting another plain
/// task's `JoinHandle` waits on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_awaiting_a_plain_tasks_handle_waits_on_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-inner", 1);
    let (first_tx, mut first) = mpsc::channel_named::<u32>("tj-outer-first", 1);
    let inner = tokio::spawn(async move { rx.recv().await });
    let task = inner.id().to_string();
    let outer = tokio::spawn(async move {
        // A pending peeps wait first: the outer task's waker is kept.
        let _ = first.recv().await;
        inner.await.unwrap()
    });
    let outer_id = outer.id().to_string();
    let probe = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        first_tx.blocking_send(1).unwrap();
        let seen = join_waiter(&task);
        tx.blocking_send(3).unwrap();
        seen
    });
    assert_eq!(outer.await.unwrap(), Some(3));
    let (name, kind, _) = probe.join().unwrap();
    assert_eq!(kind, NodeKind::Task, "{name}");
    assert!(name.ends_with(&outer_id), "{name} is task {outer_id}");
}

/// A peeps task awaiting the `JoinHandle` of a `spawn_blocking` closure
/// parked in a blocking receive waits on the closure's task (its cell kept
/// at its first blocking call), and the clone of its waker the handle keeps
/// is accounted for: nothing peeps cannot see may wake it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peeps_task_awaiting_a_blocking_closure_waits_on_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-b-lines", 1);
    let writer = tokio::task::spawn_blocking(move || rx.blocking_recv());
    let task = writer.id().to_string();
    let importer =
        peeps_runtime::spawn_named("tj-b-importer", async move { writer.await.unwrap() });
    let probe = std::thread::spawn(move || {
        // Past the poll that registered the handle's waker (a snapshot
        // during it reads the clones before the handle made its own).
        let mut seen = join_waiter_node(&task);
        while seen.state.as_deref() == Some("polling") {
            std::thread::sleep(std::time::Duration::from_millis(10));
            seen = join_waiter_node(&task);
        }
        tx.blocking_send(5).unwrap();
        seen
    });
    assert_eq!(importer.await.unwrap(), Some(5));
    let w = probe.join().unwrap();
    assert_eq!((w.kind, w.name.as_str()), (NodeKind::Task, "tj-b-importer"));
    let count = |key: &str| w.attrs.get(key).and_then(serde_json::Value::as_u64);
    assert_eq!(
        count("waker_clones"),
        Some(1),
        "{w:?}: the handle's clone alone"
    );
    assert_eq!(
        count("waker_clones_accounted"),
        Some(1),
        "{w:?}: the join accounts for it"
    );
}

/// A plain task awaiting its own `JoinHandle` (handed to it through a
/// channel: a callback run inside the task it stops, horaedb#941) waits on
/// itself: the join waker in its cell is its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_task_awaiting_its_own_handle_waits_on_itself() {
    let (tx, mut rx) = mpsc::channel_named::<tokio::task::JoinHandle<()>>("tj-self-handle", 1);
    let looped = tokio::spawn(async move {
        // A pending peeps wait first: its waker, and so its cell, is kept.
        wait_once("tj-self-first").await;
        if let Some(own) = rx.recv().await {
            let _ = own.await;
        }
    });
    let task = looped.id().to_string();
    let abort = looped.abort_handle();
    tx.send(looped).await.unwrap();
    let seen = tokio::task::spawn_blocking(move || join_waiter(&task))
        .await
        .unwrap();
    abort.abort();
    let (name, kind, _) = seen;
    assert_eq!(kind, NodeKind::Task, "{name}");
    assert!(name.starts_with("tokio task "), "{name}");
}

/// A `block_on` thread awaiting a plain task whose top-level future is
/// instrumented (its waits polled with that future's sub-waker, so its
/// waker is not counted) waits on it too: the task's own waker, found
/// below the sub-waker, is kept for its cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_awaiting_an_instrumented_plain_task_waits_on_it() {
    wait_once("tj-i-first").await;

    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-i-jobs", 1);
    let worker = tokio::spawn(peeps_runtime::instrument(
        "tj-i-worker",
        "tj:1:1",
        async move { rx.recv().await },
    ));
    let task = worker.id().to_string();
    let probe = std::thread::spawn(move || {
        let seen = join_waiter(&task);
        tx.blocking_send(9).unwrap();
        seen
    });
    assert_eq!(worker.await.unwrap(), Some(9));
    let (name, kind, clones) = probe.join().unwrap();
    assert_eq!(kind, NodeKind::Thread, "{name}");
    assert_eq!(clones, Some(1), "{name}: the handle's clone alone");
}

/// A `block_on` thread draining a tokio `JoinSet` of plain tasks
/// (`join_next`) waits on each of them: the set keeps the one clone of its
/// waker, which every task's join edge shares (one `waker_group`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_draining_a_join_set_waits_on_each_task() {
    wait_once("tj-s-first").await;

    let (tx, rx) = mpsc::channel_named::<u32>("tj-s-jobs", 1);
    let rx = std::sync::Arc::new(peeps_sync::Mutex::new(rx));
    let mut set = tokio::task::JoinSet::new();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let rx = rx.clone();
        ids.push(set.spawn(async move { rx.lock().await.recv().await }).id());
    }
    let probe = std::thread::spawn(move || {
        let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let seen: Vec<_> = ids.iter().map(|id| join_waiter(id)).collect();
        // The joins of this set's tasks (other tests run beside).
        let g = Graph::take();
        let mine: Vec<_> = g
            .snap
            .nodes
            .iter()
            .filter(|n| {
                n.kind == NodeKind::Task
                    && n.attrs
                        .get("tokio_task_id")
                        .is_some_and(|v| ids.contains(&v.to_string()))
            })
            .map(|n| n.id)
            .collect();
        let groups: Vec<_> = g
            .snap
            .edges
            .iter()
            .filter(|e| {
                mine.contains(&e.to) && e.attrs.get("op").and_then(|v| v.as_str()) == Some("join")
            })
            .map(|e| {
                e.attrs
                    .get("waker_group")
                    .and_then(serde_json::Value::as_u64)
            })
            .collect();
        tx.blocking_send(1).unwrap();
        tx.blocking_send(2).unwrap();
        (seen, groups)
    });
    let mut got = Vec::new();
    while let Some(r) = set.join_next().await {
        got.push(r.unwrap());
    }
    got.sort();
    assert_eq!(got, [Some(1), Some(2)]);
    let (seen, groups) = probe.join().unwrap();
    for (name, kind, clones) in seen {
        assert_eq!(kind, NodeKind::Thread, "{name}");
        assert_eq!(clones, Some(1), "{name}: the set's clone alone");
    }
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups[0].is_some() && groups[0] == groups[1], "{groups:?}");
}

/// A peeps task awaiting the `JoinHandle` of a `spawn_blocking` closure
/// that drives a peeps receive with `Handle::block_on` (no blocking call of
/// peeps') waits on the closure's task: a wait polled with tokio's
/// `block_on` waker inside a task's poll keeps that task's cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peeps_task_awaiting_a_block_on_closure_waits_on_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-bo-lines", 1);
    let rt = tokio::runtime::Handle::current();
    let reader = tokio::task::spawn_blocking(move || rt.block_on(rx.recv()));
    let task = reader.id().to_string();
    let importer =
        peeps_runtime::spawn_named("tj-bo-importer", async move { reader.await.unwrap() });
    let probe = std::thread::spawn(move || {
        let seen = join_waiter_node(&task);
        tx.blocking_send(6).unwrap();
        seen
    });
    assert_eq!(importer.await.unwrap(), Some(6));
    let w = probe.join().unwrap();
    assert_eq!(
        (w.kind, w.name.as_str()),
        (NodeKind::Task, "tj-bo-importer")
    );
}

/// Polls its future with a waker of its own that wakes the task's, as a
/// combinator (`FuturesUnordered`) or an executor inside the poll does.
struct OwnWaker<F>(std::pin::Pin<Box<F>>);

/// The waker [`OwnWaker`] polls with: it wakes the waker it was made with.
struct Forward(std::task::Waker);

impl std::task::Wake for Forward {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.wake_by_ref();
    }
}

impl<F: Future> Future for OwnWaker<F> {
    type Output = F::Output;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        let own = std::task::Waker::from(std::sync::Arc::new(Forward(cx.waker().clone())));
        self.0
            .as_mut()
            .poll(&mut std::task::Context::from_waker(&own))
    }
}

/// A peeps task awaiting a plain task whose waits are polled with a
/// combinator's waker (not tokio's task waker, not a peeps sub-waker)
/// waits on it: the task's cell is found once, on the stack of its poll.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peeps_task_awaiting_a_plain_task_behind_a_combinator_waits_on_it() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-c-jobs", 1);
    let worker = tokio::spawn(OwnWaker(Box::pin(async move { rx.recv().await })));
    let task = worker.id().to_string();
    let boss = peeps_runtime::spawn_named("tj-c-boss", async move { worker.await.unwrap() });
    let probe = std::thread::spawn(move || {
        let seen = join_waiter_node(&task);
        tx.blocking_send(7).unwrap();
        seen
    });
    assert_eq!(boss.await.unwrap(), Some(7));
    let w = probe.join().unwrap();
    assert_eq!((w.kind, w.name.as_str()), (NodeKind::Task, "tj-c-boss"));
}

/// The node of plain task `task` (its tokio number) once `ready` holds
/// for it (a snapshot from another thread, up to 30 s). Blocks its thread.
fn plain_task_node(task: &str, ready: impl Fn(&peeps_graph::Node) -> bool) -> peeps_graph::Node {
    let mut last = None;
    for _ in 0..3000 {
        let g = Graph::take();
        if let Some(n) = task_numbered(&g, task) {
            if ready(n) {
                return n.clone();
            }
            last = Some(n.clone());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("task {task} never ready: {last:?}");
}

/// A `spawn_blocking` closure driving a peeps receive with
/// `Handle::block_on` carries its thread's waker count: one clone, the
/// receive's (it runs again only once that wait ends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_on_closures_waker_is_counted_as_its_threads() {
    let (tx, mut rx) = mpsc::channel_named::<u32>("tj-bc-lines", 1);
    let rt = tokio::runtime::Handle::current();
    let reader = tokio::task::spawn_blocking(move || rt.block_on(rx.recv()));
    let task = reader.id().to_string();
    let seen = tokio::task::spawn_blocking(move || {
        plain_task_node(&task, |n| n.attrs.contains_key("waker_clones"))
    })
    .await
    .unwrap();
    tx.send(8).await.unwrap();
    assert_eq!(reader.await.unwrap(), Some(8));
    assert_eq!(
        seen.attrs
            .get("waker_clones")
            .and_then(serde_json::Value::as_u64),
        Some(1),
        "{seen:?}"
    );
    assert_eq!(
        seen.location.as_deref(),
        Some("(spawned with tokio::task::spawn_blocking)")
    );
}

/// A plain task peeps keeps the waker of, finished, shows `done` while
/// its node lives on (here: the notifier of a `Notify` it notified).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_plain_task_shows_done() {
    let notify = std::sync::Arc::new(peeps_sync::Notify::new().named("tj-done-bell"));
    let ring = notify.clone();
    let task = tokio::spawn(async move {
        wait_once("tj-done-first").await;
        ring.notify_one();
    });
    let id = task.id().to_string();
    task.await.unwrap();
    let seen = tokio::task::spawn_blocking(move || {
        plain_task_node(&id, |n| n.state.as_deref() == Some("done"))
    })
    .await
    .unwrap();
    assert_eq!(seen.state.as_deref(), Some("done"));
    drop(notify);
}

/// Two `spawn_blocking` closures one after the other on a blocking pool of
/// one thread, each driving a receive with `Handle::block_on`: the second
/// counts one clone too, not the first's kept beside its own.
#[test]
fn a_reused_blocking_threads_waker_counts_for_its_latest_closure_alone() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for round in 0..2u32 {
            let (tx, mut rx) = mpsc::channel_named::<u32>("tj-reused-lines", 1);
            let rt = tokio::runtime::Handle::current();
            let reader = tokio::task::spawn_blocking(move || rt.block_on(rx.recv()));
            let task = reader.id().to_string();
            let seen = std::thread::spawn(move || {
                plain_task_node(&task, |n| n.attrs.contains_key("waker_clones"))
            })
            .join()
            .unwrap();
            tx.send(round).await.unwrap();
            assert_eq!(reader.await.unwrap(), Some(round));
            assert_eq!(
                seen.attrs
                    .get("waker_clones")
                    .and_then(serde_json::Value::as_u64),
                Some(1),
                "round {round}: {seen:?}"
            );
        }
    });
}
