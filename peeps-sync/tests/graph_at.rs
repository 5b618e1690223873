//! Graph tests of the call sites: a wait's `waits_on` edge and a guard's or
//! permit's `held_by` edge name the line of the user's call that made them
//! (attr `at`, `file:line:col`), whether the method is async (a
//! `#[track_caller]` fn returning the future) or blocking.
//!
//! Each call under test sits on one line with the `line!()` it is checked
//! against: an async block on one line, or a tuple `(call, line!())`.
#![cfg(feature = "diagnostics")]

mod support;

use peeps_runtime::spawn_named;
use peeps_sync::{Mutex, Semaphore, mpsc};
use std::future::Future;
use std::sync::Arc;
use support::{Graph, assert_at, endpoint_edges, eventually, held_by, waits_on};
use tokio::sync::oneshot;

/// Keeps `guard` until `until` fires (a task that holds what it took).
async fn keep<G>(guard: G, until: oneshot::Receiver<()>) {
    let _ = until.await;
    drop(guard);
}

/// A "let go" signal for [`keep`].
fn signal() -> (oneshot::Sender<()>, oneshot::Receiver<()>) {
    oneshot::channel()
}

/// The one `held_by` edge of `res` held `how`.
#[track_caller]
fn the_hold<'g>(g: &'g Graph, res: &str, how: &str) -> &'g peeps_graph::Edge {
    match endpoint_edges(g, res, how).as_slice() {
        [edge] => edge,
        edges => panic!("{} {how} holds of {res}\n{}", edges.len(), g.dump()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_wait_and_its_guard_name_their_calls() {
    let m = Arc::new(Mutex::new(0u32).named("ga-mutex"));
    let (guard, held_line) = (m.lock().await, line!());
    let g = Graph::take();
    assert_at(the_hold(&g, "ga-mutex", "guard"), file!(), held_line);

    let (m2, (done_tx, done_rx)) = (m.clone(), signal());
    let (wait, wait_line) = (async move { keep(m2.lock().await, done_rx).await }, line!());
    let waiter = spawn_named("ga-mutex-waiter", wait);
    let g = eventually(|g| {
        waits_on("ga-mutex-waiter", "ga-mutex")
            .op("lock")
            .at(file!(), wait_line)
            .check(g)
    })
    .await;
    assert_at(the_hold(&g, "ga-mutex", "guard"), file!(), held_line);

    // The waiter takes the lock: its guard names the call that waited.
    drop(guard);
    eventually(|g| {
        held_by("ga-mutex", "ga-mutex-waiter")
            .as_("guard")
            .at(file!(), wait_line)
            .check(g)
    })
    .await;
    done_tx.send(()).unwrap();
    waiter.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_future_made_apart_from_its_await_names_the_call() {
    let m = Arc::new(Mutex::new(0u32).named("ga-apart"));
    let guard = m.lock().await;
    // Made here, boxed, and polled by another task: `at` is this line.
    let (lock, line) = (Box::pin(m.clone().lock_owned()), line!());
    let waiter = spawn_named("ga-apart-waiter", async move { drop(lock.await) });
    eventually(|g| {
        waits_on("ga-apart-waiter", "ga-apart")
            .op("lock")
            .at(file!(), line)
            .check(g)
    })
    .await;
    drop(guard);
    waiter.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_semaphore_acquire_and_its_permit_name_their_calls() {
    let s = Arc::new(Semaphore::new(2).named("ga-sem"));
    let (permit, held_line) = (s.acquire().await.unwrap(), line!());
    let (tried, tried_line) = (s.try_acquire().unwrap(), line!());
    let g = Graph::take();
    let mut lines: Vec<u32> = endpoint_edges(&g, "ga-sem", "permit")
        .iter()
        .map(|e| {
            let at = e.attrs["at"].as_str().unwrap_or_default();
            at.split(':')
                .nth(1)
                .and_then(|l| l.parse().ok())
                .unwrap_or(0)
        })
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [held_line, tried_line], "{}", g.dump());

    let (s2, (done_tx, stop)) = (s.clone(), signal());
    let (wait, wait_line) = (async move { keep(s2.acquire().await, stop).await }, line!());
    let waiter = spawn_named("ga-sem-waiter", wait);
    eventually(|g| {
        waits_on("ga-sem-waiter", "ga-sem")
            .op("acquire")
            .at(file!(), wait_line)
            .check(g)
    })
    .await;
    drop((permit, tried));
    eventually(|g| {
        held_by("ga-sem", "ga-sem-waiter")
            .as_("permit")
            .at(file!(), wait_line)
            .check(g)
    })
    .await;
    done_tx.send(()).unwrap();
    waiter.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_into_a_full_channel_and_a_recv_name_their_calls() {
    let (tx, mut rx) = mpsc::channel_named::<u8>("ga-mpsc", 1);
    tx.try_send(0).unwrap();
    let (send, send_line) = (async move { tx.send(1).await.is_ok() }, line!());
    let sender = spawn_named("ga-mpsc-sender", send);
    eventually(|g| {
        waits_on("ga-mpsc-sender", "ga-mpsc")
            .op("send")
            .at(file!(), send_line)
            .check(g)
    })
    .await;
    assert_eq!(rx.recv().await, Some(0));
    assert!(sender.await.unwrap());

    let (tx2, mut rx2) = mpsc::channel_named::<u8>("ga-mpsc-empty", 1);
    let (recv, recv_line) = (async move { rx2.recv().await }, line!());
    let receiver = spawn_named("ga-mpsc-receiver", recv);
    eventually(|g| {
        waits_on("ga-mpsc-receiver", "ga-mpsc-empty")
            .op("recv")
            .at(file!(), recv_line)
            .check(g)
    })
    .await;
    tx2.send(2).await.unwrap();
    assert_eq!(receiver.await.unwrap(), Some(2));
    drop(rx);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_lock_wait_and_its_guard_name_their_calls() {
    let m = Arc::new(peeps_sync::blocking::Mutex::new(0u32).named("ga-pl"));
    let (guard, held_line) = (m.lock(), line!());
    let g = Graph::take();
    assert_at(the_hold(&g, "ga-pl", "guard"), file!(), held_line);
    let m2 = m.clone();
    let (lock, wait_line) = (move || *m2.lock() += 1, line!());
    let t = std::thread::Builder::new()
        .name("ga-pl-thread".into())
        .spawn(lock)
        .unwrap();
    let g = eventually(|g| {
        waits_on("thread ga-pl-thread", "ga-pl")
            .op("lock")
            .at(file!(), wait_line)
            .check(g)
    })
    .await;
    assert_at(the_hold(&g, "ga-pl", "guard"), file!(), held_line);
    drop(guard);
    t.join().unwrap();
    assert_eq!(*m.lock(), 1);
}

/// `Future` + `Send` still holds for the futures the methods return (a
/// caller passing one to a fn that needs it, as with tokio's).
#[test]
fn the_returned_futures_stay_send() {
    fn needs_send<F: Future + Send>(f: F) -> F {
        f
    }
    let m = Mutex::new(0u8);
    drop(needs_send(m.lock()));
    let s = Semaphore::new(1);
    drop(needs_send(s.acquire()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_closed_wait_names_its_call() {
    let (tx, rx) = mpsc::channel_named::<u32>("ga-closed-mpsc", 1);
    let (utx, urx) = mpsc::unbounded_channel_named::<u32>("ga-closed-unbounded");
    let (btx, brx) = peeps_sync::broadcast::channel::<u32>(1);
    let btx = btx.named("ga-closed-broadcast");
    let (wtx, wrx) = peeps_sync::watch::channel(0u32);
    let wtx = wtx.named("ga-closed-watch");
    let (a, a_line) = (async move { tx.closed().await }, line!());
    let (b, b_line) = (async move { utx.closed().await }, line!());
    let (c, c_line) = (async move { btx.closed().await }, line!());
    let (d, d_line) = (async move { wtx.closed().await }, line!());
    let waiters = [
        spawn_named("ga-closed-a", a),
        spawn_named("ga-closed-b", b),
        spawn_named("ga-closed-c", c),
        spawn_named("ga-closed-d", d),
    ];
    eventually(|g| {
        support::all(&[
            waits_on("ga-closed-a", "ga-closed-mpsc")
                .op("closed")
                .at(file!(), a_line)
                .check(g),
            waits_on("ga-closed-b", "ga-closed-unbounded")
                .op("closed")
                .at(file!(), b_line)
                .check(g),
            waits_on("ga-closed-c", "ga-closed-broadcast")
                .op("closed")
                .at(file!(), c_line)
                .check(g),
            waits_on("ga-closed-d", "ga-closed-watch")
                .op("closed")
                .at(file!(), d_line)
                .check(g),
        ])
    })
    .await;
    // Dropping the receivers ends every wait.
    drop((rx, urx, brx, wrx));
    for w in waiters {
        w.await.unwrap();
    }
}
