//! `#[peeps::test]` in this process, as a user writes it: the body is a
//! task of its own test run, the runtime is the one asked for, a result or
//! a panic is the test's, and a deadlock or a timeout fails the test with
//! the words peeps has for it (`#[should_panic(expected = ..)]` checks
//! them). The same from a child `cargo test` and `cargo nextest run`:
//! tests/test_attr_fixture.rs; with recording off: tests/test_attr_off.rs;
//! what it refuses: tests/ui/{pass,fail}/test_*.rs, run by the `ui` test of
//! tests/instrument.rs with every other macro case.

#![cfg(feature = "diagnostics")]

use peeps::graph::{Node, NodeKind, Snapshot, attr};
use std::sync::Arc;
use std::time::Duration;

/// The task node named `name` in `snap`.
#[track_caller]
fn task<'s>(snap: &'s Snapshot, name: &str) -> &'s Node {
    snap.nodes
        .iter()
        .find(|n| n.kind == NodeKind::Task && n.name == name)
        .unwrap_or_else(|| panic!("a task named {name:?} in {:#?}", snap.nodes))
}

fn scope(node: &Node) -> Option<u64> {
    node.attrs.get(attr::TEST_SCOPE).and_then(|v| v.as_u64())
}

#[peeps::test]
async fn the_body_is_a_tracked_task_named_after_the_test_in_a_scope_of_its_own() {
    let snap = peeps::snapshot();
    let body = task(
        &snap,
        "the_body_is_a_tracked_task_named_after_the_test_in_a_scope_of_its_own",
    );
    assert_eq!(body.attrs.get(attr::TRACKED), Some(&true.into()));
    assert!(scope(body).is_some_and(|s| s != 0), "{body:?}");
    let location = body.location.as_deref().unwrap_or("");
    assert!(
        location.starts_with("tests/test_attr.rs:"),
        "at the test fn: {location}"
    );
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::CurrentThread
    );
}

#[peeps::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_thread_test_runs_on_its_workers_and_every_task_it_spawns_is_its_own() {
    let handle = tokio::runtime::Handle::current();
    assert_eq!(
        handle.runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread
    );
    assert_eq!(handle.metrics().num_workers(), 2);
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    // A peeps task spawned from a plain tokio task on a worker thread.
    #[allow(clippy::async_yields_async)] // the handle, joined below
    let grandchild = tokio::spawn(async move {
        peeps::spawn_named("grandchild", async move {
            let _ = released.await;
        })
    })
    .await
    .expect("spawned");
    let snap = peeps::snapshot();
    let body = task(
        &snap,
        "a_multi_thread_test_runs_on_its_workers_and_every_task_it_spawns_is_its_own",
    );
    assert_eq!(scope(task(&snap, "grandchild")), scope(body));
    release.send(()).expect("the grandchild waits");
    grandchild.await.expect("joined");
}

#[peeps::test(timeout = "30s")]
async fn a_result_is_the_test_result() -> Result<(), std::num::ParseIntError> {
    let n: u8 = "7".parse()?;
    assert_eq!(n, 7);
    Ok(())
}

#[peeps::test]
#[should_panic(expected = "boom")]
async fn a_panic_in_the_body_fails_the_test_as_under_tokio() {
    panic!("boom");
}

/// Two transfers lock two accounts in opposite orders, each holding its
/// first lock until the other holds its own.
async fn lock_order_inversion() {
    let acct1 = Arc::new(peeps::sync::Mutex::new(100u32).named("acct-1"));
    let acct2 = Arc::new(peeps::sync::Mutex::new(100u32).named("acct-2"));
    let both = Arc::new(tokio::sync::Barrier::new(2));
    let (a1, a2, b) = (acct1.clone(), acct2.clone(), both.clone());
    let a = peeps::spawn_named("transfer-a", async move {
        let _from = a1.lock().await;
        b.wait().await;
        let _to = a2.lock().await;
    });
    let (b1, b2) = (acct1, acct2);
    let b = peeps::spawn_named("transfer-b", async move {
        let _from = b2.lock().await;
        both.wait().await;
        let _to = b1.lock().await;
    });
    let _ = a.await;
    let _ = b.await;
}

/// Two transfers take two accounts in opposite orders, one after the
/// other: nothing hangs.
async fn lock_order_inversion_at_different_times(a: &'static str, b: &'static str) {
    let acct1 = Arc::new(peeps::sync::Mutex::new(100u32).named(a));
    let acct2 = Arc::new(peeps::sync::Mutex::new(100u32).named(b));
    for (name, first, second) in [
        ("transfer-a", acct1.clone(), acct2.clone()),
        ("transfer-b", acct2, acct1),
    ] {
        peeps::spawn_named(name, async move {
            let _from = first.lock().await;
            let _to = second.lock().await;
        })
        .await
        .expect("the transfer ends");
    }
}

#[peeps::test]
#[should_panic(
    expected = "has a potential deadlock: it did not hang, but the order its tasks took locks in can deadlock"
)]
async fn a_potential_deadlock_fails_the_test_once_the_body_ends() {
    lock_order_inversion_at_different_times("pd-acct-1", "pd-acct-2").await;
}

#[peeps::test(potential_deadlocks = "allow")]
async fn a_potential_deadlock_can_be_allowed() {
    lock_order_inversion_at_different_times("pd-allowed-1", "pd-allowed-2").await;
}

#[peeps::test(potential_deadlocks = "warn")]
async fn a_potential_deadlock_can_be_only_printed() {
    lock_order_inversion_at_different_times("pd-warned-1", "pd-warned-2").await;
}

#[peeps::test(timeout = "60s")]
#[should_panic(
    expected = "deadlock (certain, 2 tasks, 1 process):\n  task \"transfer-a\" (tests/test_attr.rs:"
)]
async fn a_deadlock_fails_the_test_with_the_deadlock_in_words() {
    lock_order_inversion().await;
}

/// The body holds one lock and waits for another that a task it spawned
/// holds while waiting for the first: the body is a task of the deadlock,
/// and a tracked one, so the deadlock is certain.
#[peeps::test(timeout = "60s")]
#[should_panic(
    expected = "deadlock (certain, 2 tasks, 1 process):\n  task \"a_deadlock_through_the_body_itself_is_certain\""
)]
async fn a_deadlock_through_the_body_itself_is_certain() {
    let first = Arc::new(peeps::sync::Mutex::new(()).named("first"));
    let second = Arc::new(peeps::sync::Mutex::new(()).named("second"));
    let _held = first.lock().await;
    let (f, s) = (first.clone(), second.clone());
    let (locked_tx, locked_rx) = tokio::sync::oneshot::channel();
    let _other = peeps::spawn_named("other", async move {
        let _s = s.lock().await;
        let _ = locked_tx.send(());
        let _f = f.lock().await;
    });
    locked_rx.await.expect("the other task holds `second`");
    let _second = second.lock().await;
}

#[peeps::test(flavor = "multi_thread", worker_threads = 2, timeout = "60s")]
#[should_panic(expected = "to lock mutex \"acct-2\"")]
async fn a_deadlock_on_a_multi_thread_runtime_fails_the_test_too() {
    lock_order_inversion().await;
}

#[peeps::test(timeout = "1s")]
#[should_panic(
    expected = "1 of its tasks is alive:\n\ntask \"a_slow_test_times_out_with_its_tasks\" (tests/test_attr.rs:"
)]
async fn a_slow_test_times_out_with_its_tasks() {
    tokio::time::sleep(Duration::from_secs(60)).await;
}
