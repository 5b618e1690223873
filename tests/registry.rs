//! The registry returns to empty: futures leave when dropped or done, also
//! after a panic, and the thread-local frame is restored.
//!
//! One test per concern, each on its own runtime; they share the process
//! registry, so each waits for its own nodes only or runs alone in this file.
// They count recorded nodes. Without recording (`--no-default-features`) there is
// nothing to read: see tests/test_attr_off.rs and the facade doctests.
#![cfg(feature = "diagnostics")]

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// The tests of this file count every live node: run them one at a time.
static ALONE: Mutex<()> = Mutex::new(());

/// Pending once (waking itself), then ready.
struct Yield(bool);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn poll_once<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_million_futures_leave_the_registry_empty() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let before = peeps_runtime::__private::registry::live_count();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                peeps::spawn_named("churn", async move {
                    for i in 0..250_000u32 {
                        match i % 4 {
                            // Polled to completion.
                            0 => peeps::peeps!("done", Yield(false)).await,
                            // Polled once, dropped while pending (cancelled).
                            1 => {
                                let mut f =
                                    std::pin::pin!(peeps::peeps!("cancelled", Yield(false)));
                                assert!(poll_once(f.as_mut()).is_pending());
                            }
                            // Never polled: never registered.
                            2 => drop(peeps::peeps!("unpolled", Yield(false))),
                            // Nested inside another instrumented future.
                            _ => {
                                peeps::peeps!("outer", async {
                                    peeps::peeps!("inner", Yield(false)).await
                                })
                                .await
                            }
                        }
                    }
                    w
                })
            })
            .collect();
        for w in workers {
            w.await.unwrap();
        }
    });
    drop(rt);
    assert_eq!(
        peeps_runtime::__private::registry::live_count(),
        before,
        "nodes left behind"
    );
    assert!(
        peeps::snapshot()
            .nodes
            .iter()
            .all(|n| n.name != "churn" && n.name != "done")
    );
}

#[peeps::instrument]
async fn explode(armed: bool) {
    Yield(false).await;
    if armed {
        panic!("boom inside an instrumented future");
    }
}

#[test]
fn a_panic_inside_an_instrumented_future_leaves_the_registry_consistent() {
    let _alone = ALONE.lock().unwrap_or_else(|e| e.into_inner());
    let before = peeps_runtime::__private::registry::live_count();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let err = peeps::spawn_named("doomed", async { explode(true).await })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        // The same worker thread polls the next task with a clean frame: its
        // future's parent is its own task, not a leftover of the panic.
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let next = peeps::spawn_named(
            "after",
            peeps::peeps!("after-future", async move {
                let _ = rx.await;
            }),
        );
        tokio::task::yield_now().await;
        let snap = peeps::snapshot();
        assert!(
            !snap
                .nodes
                .iter()
                .any(|n| n.name == "doomed" || n.name == "explode"),
            "{:#?}",
            snap.nodes
        );
        let task = snap.nodes.iter().find(|n| n.name == "after").unwrap();
        let fut = snap
            .nodes
            .iter()
            .find(|n| n.name == "after-future")
            .unwrap();
        let parents: Vec<_> = snap
            .edges
            .iter()
            .filter(|e| e.to == fut.id)
            .map(|e| e.from)
            .collect();
        assert_eq!(parents, vec![task.id]);
        tx.send(()).unwrap();
        next.await.unwrap();
    });

    // A panic caught around a direct poll restores the frame too.
    let mut f = std::pin::pin!(explode(true));
    assert!(poll_once(f.as_mut()).is_pending());
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| poll_once(f.as_mut())));
    assert!(caught.is_err());
    assert_eq!(
        peeps_runtime::__private::context::current(),
        peeps_runtime::__private::context::Frame::default()
    );
    drop(rt);
    assert_eq!(
        peeps_runtime::__private::registry::live_count(),
        before,
        "nodes left behind"
    );
}
